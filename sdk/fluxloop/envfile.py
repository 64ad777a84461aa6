"""``load_env``: read a ``.env`` file into the environment (the released SDK's helper).

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
from pathlib import Path

from fluxloop import config as _config

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


def _find_upwards(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / ".env"
        if candidate.is_file():
            return candidate
    return None


def load_env(
    dotenv_path: str | os.PathLike[str] | None = None,
    *,
    override: bool = True,
    refresh_config: bool = True,
) -> bool:
    """Load variables from a ``.env`` file into ``os.environ``; True when some were loaded.

    ``dotenv_path`` is a file, or a folder meaning its ``.env``; without it the nearest
    ``.env`` from the current folder upwards is used. ``override=False`` keeps variables
    already set. ``refresh_config`` re-reads the SDK settings from the new environment
    (``configure()`` overrides still win); an invalid ``FLUXLOOP_*`` value then raises
    :class:`fluxloop.ConfigurationError` naming it.
    """
    if dotenv_path is None:
        path = _find_upwards(Path.cwd())
    else:
        path = Path(dotenv_path).expanduser()
        if path.is_dir():
            path = path / ".env"
    if path is None:
        return False
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return False
    values = parse_env(text, override=override)
    for key, value in values.items():
        if "\0" in value:
            raise _config.ConfigurationError(
                f"{path}: the value of {key} holds a NUL character, which no environment "
                "variable can hold; remove it"
            )
    for key, value in values.items():
        if override or key not in os.environ:
            os.environ[key] = value
    if refresh_config:
        _config.refresh_config()
    return bool(values)
