"""Our words for validation problems, wherever a file is checked (config, inputs, recordings).

pydantic's messages ("Input should be a valid string") are translated before a user sees
them, and "did you mean" offers a known name only when it is really close to the typo.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

_BY_TYPE = {
    "string_type": "must be text",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "list_type": "must be a list",
    "dict_type": "must be a mapping of keys",
    "model_type": "must be a mapping of keys",
    "model_attributes_type": "must be a mapping of keys",
    "string_too_short": "must not be empty",
    "missing": "is required but missing",
    "extra_forbidden": "unknown key",
}
_SHOULD = re.compile(r"^(?:Input|Value|String|List|Dictionary) should (?:be )?")
_SHOULD_HAVE = re.compile(r"^(?:Input|Value|String|List|Dictionary) should have ")


def problem_text(error: Mapping[str, Any]) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in our wording.

    Our own validators' messages pass through; pydantic's are rephrased as "must ...".
    """
    kind = str(error.get("type", ""))
    if kind in _BY_TYPE:
        return _BY_TYPE[kind]
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    if _SHOULD_HAVE.match(message):
        return _SHOULD_HAVE.sub("must have ", message)
    if _SHOULD.match(message):
        return _SHOULD.sub("must be ", message)
    return message


def _distance(a: str, b: str) -> int:
    """Edits (insert, delete, replace, swap two neighbours) that turn ``a`` into ``b``."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[len(b)]


def closest(word: str, names: Iterable[str]) -> str | None:
    """The known name ``word`` is most likely a typo of, or None when none is close.

    Close means a few slips for the word's length (1 up to 4 letters, 2 up to 8, then 3),
    or a whole ``_``-separated part (``timeout`` for ``timeout_seconds``). Long but unrelated
    words (``conversation`` and ``iterations``) are not close.
    """
    typed = word.lower()
    allowed = 1 if len(typed) <= 4 else 2 if len(typed) <= 8 else 3
    best: tuple[int, str] | None = None
    for name in names:
        known = name.lower()
        distance = _distance(typed, known)
        if distance > allowed and not (len(typed) >= 4 and typed in known.split("_")):
            continue
        if best is None or distance < best[0]:
            best = (distance, name)
    return best[1] if best else None
