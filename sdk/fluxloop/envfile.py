"""Reading ``.env`` files, for :func:`fluxloop.load_env` (in :mod:`fluxloop.config`).

The SDK stays stdlib + httpx, so this is a small reader of the common ``.env`` syntax
(the subset python-dotenv and fluxloop-cli 0.2.x's templates use): ``KEY=value`` lines,
blank lines and ``#`` comments, an optional ``export`` prefix, single quotes (literal),
double quotes (``\\n``, ``\\t``, ``\\"``, ``\\\\`` escapes; may span lines), `` #`` comments
after an unquoted value, and ``${NAME}`` / ``${NAME:-default}`` expansion in unquoted and
double-quoted values. A line it cannot read is skipped, as python-dotenv does.
"""

from __future__ import annotations

import os
import re

_KEY = re.compile(r"\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*")
_EXPANSION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def _double_quoted(text: str, start: int) -> tuple[str, int] | None:
    """The value of a double-quoted string opening at ``start`` and the index after it."""
    out: list[str] = []
    index = start + 1
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            following = text[index + 1]
            out.append(_ESCAPES.get(following, "\\" + following))
            index += 2
            continue
        if char == '"':
            return "".join(out), index + 1
        out.append(char)
        index += 1
    return None


def _expand(value: str, known: dict[str, str], override: bool) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        # As python-dotenv: with override the file's own earlier values win.
        sources = (known, os.environ) if override else (os.environ, known)
        for source in sources:
            if source.get(name):
                return source[name]
        return default or ""

    return _EXPANSION.sub(replace, value)


def parse_env(text: str, *, override: bool = True) -> dict[str, str]:
    """The variables a ``.env`` text sets, in order (see the module docstring)."""
    values: dict[str, str] = {}
    index = 0
    while index < len(text):
        end = text.find("\n", index)
        end = len(text) if end < 0 else end
        line = text[index:end]
        match = _KEY.match(line)
        if match is None:
            index = end + 1
            continue
        key = match.group(1)
        at = index + match.end()
        rest_of_line = text[at:end]
        if rest_of_line.startswith("'"):
            closing = rest_of_line.find("'", 1)
            value = rest_of_line[1:closing] if closing > 0 else None
        elif rest_of_line.startswith('"'):
            parsed = _double_quoted(text, at)
            if parsed is None:
                value = None
            else:
                value, after = parsed
                value = _expand(value, values, override)
                newline = text.find("\n", after)
                end = len(text) if newline < 0 else newline
        else:
            value = _expand(
                re.split(r"\s+#", rest_of_line, maxsplit=1)[0].strip(), values, override
            )
        if value is not None:
            values[key] = value
        index = end + 1
    return values
