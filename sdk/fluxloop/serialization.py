"""Turning any Python value into faithful JSON data, for recordings, spans and results.

Dataclasses, pydantic models, enums, datetimes, UUIDs, paths, sets, tuples, bytes and
Decimals keep their content; callables become markers; anything else becomes
``"<repr:...>"``; a cycle becomes ``"<cycle>"``; text holding lone surrogates (which UTF-8
cannot encode) becomes ``"<lone surrogates escaped: ...>"`` with them as ``\\udcff``. The walk
uses an explicit stack, so a 10,000-deep structure is copied without recursion; a recording
line nests at most :data:`MAX_DEPTH` levels (readers refuse deeper lines), so recorded values
deeper than that end in ``"<too deep: ...>"`` (``max_depth``).
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import enum
import json
import uuid
from collections.abc import Iterable, Mapping
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from fluxloop.redaction import DEFAULT_REDACT_KEYS, REDACTED, secret_names

MARKER_ATTR = "__fluxloop_marker__"
CYCLE = "<cycle>"
SURROGATES = "<lone surrogates escaped: {text}>"
TOO_DEEP = "<too deep: nested more than {limit} levels>"
# The deepest nesting a recording line may have (the line's own object is level 1). The
# SDK writes no deeper and FluxLoop's reader refuses deeper lines: JSON parsers and copies
# recurse per level, and no real call needs more.
MAX_DEPTH = 100

_SCALARS = (str, int, float, bool, type(None))


def callable_marker(value: Any) -> str:
    """``"<callable:name>"``, or the marker a replay provider carries (builtin markers)."""
    marker = getattr(value, MARKER_ATTR, None)
    if isinstance(marker, str):
        return marker
    name = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    return f"<callable:{name or type(value).__name__}>"


def encodable_text(text: str) -> str:
    """``text`` itself, or its marker when it holds lone surrogates that UTF-8 cannot encode."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return SURROGATES.format(text=text.encode("utf-8", "backslashreplace").decode("utf-8"))
    return text


def _leaf(value: Any) -> tuple[bool, Any]:
    """(True, json value) for values that need no walking; (False, None) otherwise."""
    if isinstance(value, str):
        return True, encodable_text(value)
    if isinstance(value, bool | type(None)):
        return True, value
    if isinstance(value, enum.Enum):
        inner = value.value
        return True, inner if isinstance(inner, _SCALARS) else str(inner)
    if isinstance(value, int | float):
        return True, value
    if isinstance(value, Decimal):
        return True, str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return True, value.isoformat()
    if isinstance(value, dt.timedelta):
        return True, value.total_seconds()
    if isinstance(value, uuid.UUID | PurePath):
        return True, str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return True, "<base64:" + base64.b64encode(bytes(value)).decode("ascii") + ">"
    if isinstance(value, type):
        return True, f"<class:{value.__module__}.{value.__qualname__}>"
    return False, None


def _children(value: Any) -> tuple[str, Any] | None:
    """("dict", mapping) or ("list", items) for containers; None for opaque values."""
    if isinstance(value, Mapping):
        return "dict", value
    if isinstance(value, list | tuple):
        return "list", value
    if isinstance(value, set | frozenset):
        try:
            return "list", sorted(value)
        except TypeError:
            return "list", sorted(value, key=repr)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return "dict", {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    dump = getattr(value, "model_dump", None)  # pydantic v2, duck-typed: no import
    if callable(dump) and not isinstance(value, type):
        try:
            return "dict", dump()
        except Exception:
            return None
    return None


def to_jsonable(
    value: Any, *, redact_keys: Iterable[str] | None = None, max_depth: int | None = None
) -> Any:
    """``value`` as JSON data (dicts, lists, strings, numbers, booleans, None).

    Values under a mapping key that names a secret by the rule of
    :mod:`fluxloop.redaction` (names from ``redact_keys``, default
    :data:`DEFAULT_REDACT_KEYS`) are replaced by ``"<redacted>"``. With ``max_depth``, a
    container nested deeper than that (the value itself is level 1) becomes a
    ``"<too deep: ...>"`` marker, so the result nests at most ``max_depth`` levels.
    """
    redact = secret_names(DEFAULT_REDACT_KEYS if redact_keys is None else tuple(redact_keys))
    done, leaf = _leaf(value)
    if done:
        return leaf
    root: list[Any] = [None]
    # Each stack item: (source value, container to fill, key/index in it, ids on the path).
    stack: list[tuple[Any, Any, Any, frozenset[int]]] = [(value, root, 0, frozenset())]
    while stack:
        item, target, slot, path = stack.pop()
        done, leaf = _leaf(item)
        if done:
            target[slot] = leaf
            continue
        if id(item) in path:
            target[slot] = CYCLE
            continue
        kids = _children(item)
        if kids is None:
            target[slot] = callable_marker(item) if callable(item) else f"<repr:{item!r}>"
            continue
        if max_depth is not None and len(path) >= max_depth:
            target[slot] = TOO_DEEP.format(limit=max_depth)
            continue
        kind, content = kids
        inner = path | {id(item)}
        if kind == "dict":
            out: dict[str, Any] = {}
            target[slot] = out
            for key, child in content.items():
                name = encodable_text(
                    key if isinstance(key, str) else str(_leaf(key)[1] if _leaf(key)[0] else key)
                )
                if name in redact:
                    out[name] = REDACTED
                else:
                    out[name] = None
                    stack.append((child, out, name, inner))
        else:
            items: list[Any] = [None] * len(content)
            target[slot] = items
            for index, child in enumerate(content):
                stack.append((child, items, index, inner))
    return root[0]


def without_none(data: Any) -> Any:
    """JSON data without the None values of its objects, at any depth (lists keep theirs)."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(data, root, 0)]
    while stack:
        item, target, slot = stack.pop()
        if isinstance(item, dict):
            out: dict[str, Any] = {}
            target[slot] = out
            for key, child in item.items():
                if child is not None:
                    out[key] = None
                    stack.append((child, out, key))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            target[slot] = items
            for index, child in enumerate(item):
                stack.append((child, items, index))
        else:
            target[slot] = item
    return root[0]


def dumps(data: Any) -> str:
    """JSON text of :func:`to_jsonable` output, however deep it is nested.

    ``json.dumps`` recurses and fails past ~1,000 levels; such values fall back to an
    iterative encoder, so depth never loses data.
    """
    try:
        return json.dumps(data, ensure_ascii=False)
    except RecursionError:
        return _dumps_iterative(data)


def _dumps_iterative(data: Any) -> str:
    parts: list[str] = []
    # Items are values to encode or literal strings (closing brackets, separators).
    stack: list[tuple[bool, Any]] = [(False, data)]
    while stack:
        literal, item = stack.pop()
        if literal:
            parts.append(item)
        elif isinstance(item, dict):
            parts.append("{")
            stack.append((True, "}"))
            entries = list(item.items())
            for index in range(len(entries) - 1, -1, -1):
                key, child = entries[index]
                stack.append((False, child))
                stack.append((True, json.dumps(str(key), ensure_ascii=False) + ": "))
                if index:
                    stack.append((True, ", "))
        elif isinstance(item, list):
            parts.append("[")
            stack.append((True, "]"))
            for index in range(len(item) - 1, -1, -1):
                stack.append((False, item[index]))
                if index:
                    stack.append((True, ", "))
        else:
            parts.append(json.dumps(item, ensure_ascii=False))
    return "".join(parts)
