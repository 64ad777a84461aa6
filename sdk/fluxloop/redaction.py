"""Which mapping keys hold secrets: normalised matching of names by their words.

A key is split into lower-case words: camelCase and ALLCaps boundaries, ``-``, ``_``,
``.`` and spaces all separate words (``X-Api-Key``, ``xApiKey``, ``X_API_KEY`` and
``x.api.key`` are all ``x api key``). The key is a secret when its words *end with* the
words of one of the configured names, or its last word is such a name written as one word
(``apikey``). So ``api_key`` covers ``openai_api_key`` and ``apiKey``; ``token`` covers
``access_token`` but not ``tokens``, ``tokenizer`` or ``max_tokens``; ``secret`` covers
``client_secret`` but not ``secretary``; ``cookie`` covers ``Set-Cookie`` but not
``cookie_policy``. A bare ``key`` is not a secret (``monkey``, ``keyboard``, ``sort_key``).

Decisions are cached per key, so recording pays the word split once per distinct key.
"""

from __future__ import annotations

import re
from functools import lru_cache

DEFAULT_REDACT_KEYS: tuple[str, ...] = (
    "password",
    "passwd",
    "secret",
    "token",
    "api_key",
    "access_key",
    "secret_key",
    "private_key",
    "authorization",
    "cookie",
    "credential",
    "credentials",
)
REDACTED = "<redacted>"

# An ALLCAPS run not followed by a lower-case letter (the "API" of "APIKey"), a word with
# an optional capital (the "Key"), or digits.
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")
_CACHE_LIMIT = 4096  # distinct keys remembered per rule; past it, decisions are recomputed


def name_words(name: str) -> tuple[str, ...]:
    """``name`` as lower-case words: ``"X-ApiKey"`` -> ``("x", "api", "key")``."""
    return tuple(word.lower() for word in _WORD.findall(name))


class SecretNames:
    """A rule that tells whether a key names a secret (see the module docstring)."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self._suffixes = tuple({name_words(n) for n in names if name_words(n)})
        self._joined = frozenset("".join(words) for words in self._suffixes)
        self._decided: dict[str, bool] = {}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, str):
            return False
        decided = self._decided.get(key)
        if decided is None:
            decided = self._decide(key)
            if len(self._decided) < _CACHE_LIMIT:
                self._decided[key] = decided
        return decided

    def _decide(self, key: str) -> bool:
        words = name_words(key)
        if not words:
            return False
        if words[-1] in self._joined:
            return True
        return any(words[-len(suffix) :] == suffix for suffix in self._suffixes)


@lru_cache(maxsize=16)
def secret_names(names: tuple[str, ...] = DEFAULT_REDACT_KEYS) -> SecretNames:
    """The (shared, cached) rule for a tuple of names."""
    return SecretNames(names)
