"""The one redaction step for everything FluxLoop shows or stores.

Every text that leaves the process — the CLI's stdout and stderr, the files of an
experiment folder, error messages, the TUI — goes through :func:`redactor`. It hides:

- the value of every **secret variable** known to the process: the process environment
  and every ``.env`` file FluxLoop has read (:func:`remember`). A variable is secret when
  :func:`is_secret_name` says so; values shorter than :data:`MIN_SECRET_LENGTH` are
  left alone, because hiding them would mask unrelated text;
- the **password of a URL** (``scheme://user:PASSWORD@host``);
- **secret query parameters** (``?api_key=…``, ``&token=…``, ``&sig=…``);
- **bearer tokens** (``Bearer …``).

Each is replaced by :data:`REDACTED`; with ``show_tail`` (the ``--show-values`` flag) by
the value masked except its last 4 characters (:func:`mask_secret`), never in full.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

REDACTED = "****"
MIN_SECRET_LENGTH = 6
SHOWN_TAIL = 4

# Names are compared upper-cased with "-", "." and spaces read as "_", by how they end:
# variable names have no reliable word boundaries (PGPASSWORD), and camelCase keys end the
# same way once upper-cased (apiKey -> APIKEY). "_KEY" keeps its underscore so that MONKEY
# and KEYBOARD are no keys; TOKEN does not end TOKENS or MAX_TOKENS.
_SECRET_ENDINGS = (
    "_KEY",
    "APIKEY",
    "ACCESSKEY",
    "SECRETKEY",
    "PRIVATEKEY",
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "_PASS",
    "_PWD",
    "CREDENTIAL",
    "CREDENTIALS",
    "AUTHORIZATION",
    "COOKIE",
)
_SEPARATORS = str.maketrans({"-": "_", ".": "_", " ": "_"})
# Query parameters that are secrets although their name alone is no secret word.
_SECRET_QUERY_NAMES = frozenset({"key", "sig", "signature", "auth"})

# A URL's "://user:" then the password up to "@" (starting at the literal "://" keeps the
# search fast). Quotes, "<>", backslashes and white space end a match, so it never runs
# across the strings of a JSON text.
_URL_PASSWORD = re.compile(r"://([^\s:/@\"'<>\\]*):([^\s/@\"'<>\\]+)@")
_QUERY_PARAM = re.compile(r"([?&]([A-Za-z0-9_.\-]+)=)([^\s&#\"'<>\\]+)")
# A bearer token has at least one character that is not a letter, so prose such as
# "Bearer authentication required" is left alone.
_BEARER = re.compile(
    r"((?:Bearer|bearer|BEARER)\s+)([A-Za-z0-9._~+/=\-]*[0-9._~+/=\-][A-Za-z0-9._~+/=\-]*)"
)


def mask_secret(value: str) -> str:
    """Hide all but the last 4 characters (all of a value of 4 or fewer)."""
    if len(value) <= SHOWN_TAIL:
        return "*" * len(value)
    return "*" * (len(value) - SHOWN_TAIL) + value[-SHOWN_TAIL:]


@lru_cache(maxsize=4096)
def is_secret_name(name: str) -> bool:
    """Whether a variable, config key or parameter named ``name`` holds a secret.

    True when the name, upper-cased with ``-``, ``.`` and spaces read as ``_``, ends in
    one of :data:`_SECRET_ENDINGS` (``OPENAI_API_KEY``, ``PGPASSWORD``, ``apiKey``,
    ``x-api-key``, ``client_secret``; not ``PWD``, ``MONKEY``, ``MAX_TOKENS``, ``author``).
    """
    return name.upper().translate(_SEPARATORS).endswith(_SECRET_ENDINGS)


_lock = threading.Lock()
_remembered: set[str] = set()


def remember(env: Mapping[str, str]) -> None:
    """Remember the values of ``env``'s secret variables for good (a .env file's values
    are in no environment, so only this makes them known)."""
    values = {v for k, v in env.items() if is_secret_name(k) and len(v) >= MIN_SECRET_LENGTH}
    if not values <= _remembered:
        with _lock:
            _remembered.update(values)


def known_secrets() -> tuple[str, ...]:
    """Secret values of the process environment and of every .env file read so far."""
    # Names first: reading every value of os.environ costs several times more.
    names = [name for name in os.environ if is_secret_name(name)]
    values = {v for name in names if len(v := os.environ.get(name, "")) >= MIN_SECRET_LENGTH}
    with _lock:
        values |= _remembered
    return tuple(sorted(values))


class Redactor:
    """Hides known secret values and secret-looking URL parts, tokens and parameters."""

    def __init__(self, secrets: Iterable[str], *, show_tail: bool = False) -> None:
        self.show_tail = show_tail
        forms: dict[str, str] = {}
        for secret in secrets:
            forms[secret] = secret
            # The same value inside a JSON text (a summary, a trace line) is escaped.
            for ascii_only in (True, False):
                forms.setdefault(json.dumps(secret, ensure_ascii=ascii_only)[1:-1], secret)
        self._forms = forms
        # Longest first, so a secret that contains another is hidden whole.
        alternatives = sorted(forms, key=len, reverse=True)
        self._known = re.compile("|".join(map(re.escape, alternatives))) if forms else None

    def _hide(self, value: str) -> str:
        return mask_secret(value) if self.show_tail else REDACTED

    def text(self, text: str) -> str:
        """``text`` with every secret hidden."""
        if self._known is not None:
            text = self._known.sub(lambda m: self._hide(self._forms[m.group(0)]), text)
        # Each pattern runs only where its anchor occurs: trace lines rarely hold any, and
        # the writer redacts every line it writes.
        if "://" in text:
            text = _URL_PASSWORD.sub(lambda m: f"://{m.group(1)}:{self._hide(m.group(2))}@", text)
        if "=" in text and ("?" in text or "&" in text):
            text = _QUERY_PARAM.sub(self._query, text)
        if "earer" in text or "EARER" in text:  # the spellings _BEARER knows
            text = _BEARER.sub(lambda m: m.group(1) + self._hide(m.group(2)), text)
        return text

    def _query(self, match: re.Match[str]) -> str:
        name = match.group(2)
        if name.lower() in _SECRET_QUERY_NAMES or is_secret_name(name):
            return match.group(1) + self._hide(match.group(3))
        return match.group(0)

    def data(self, value: Any) -> Any:
        """JSON-like data (dicts, lists, scalars) with every string redacted, and every
        string under a secret-named key hidden whole (``environment_vars: {DB_TOKEN: …}``).
        """
        root: list[Any] = [None]
        stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
        while stack:  # iterative: data read from outside may nest deeply
            item, target, slot = stack.pop()
            if isinstance(item, str):
                target[slot] = self.text(item)
            elif isinstance(item, Mapping):
                out: dict[Any, Any] = {}
                target[slot] = out
                for key, child in item.items():
                    shown = self.text(key) if isinstance(key, str) else key
                    if isinstance(child, str) and child and is_secret_name(str(key)):
                        out[shown] = self._hide(child)
                    else:
                        out[shown] = None
                        stack.append((child, out, shown))
            elif isinstance(item, list | tuple):
                items: list[Any] = [None] * len(item)
                target[slot] = items
                stack.extend((child, items, i) for i, child in enumerate(item))
            else:
                target[slot] = item
        return root[0]


@lru_cache(maxsize=8)
def _redactor(secrets: tuple[str, ...], show_tail: bool) -> Redactor:
    return Redactor(secrets, show_tail=show_tail)


def redactor(*, show_tail: bool = False) -> Redactor:
    """The redactor for every secret known now (rebuilt only when they change)."""
    return _redactor(known_secrets(), show_tail)


def redact(text: str) -> str:
    """``text`` with every known secret, URL password, secret parameter and token hidden."""
    return redactor().text(text)
