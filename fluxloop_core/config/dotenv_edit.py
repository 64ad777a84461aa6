"""Set one variable in a .env file without disturbing anything else in it.

The file is rewritten atomically (temp file in the same folder + os.replace), so a crash
leaves the old file or the new one. Comments, blank lines, other assignments and line
endings are kept; an existing assignment is replaced where it stands, a commented-out
template line (``# OPENAI_API_KEY=sk-...``) is filled in where it stands, and otherwise
the variable is appended.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from fluxloop_core.errors import ConfigError, UsageError
from fluxloop_core.files import SECRET_FILE_MODE, write_atomic

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_BARE = re.compile(r"^[A-Za-z0-9_./:@+=,%-]*$")


def format_env_value(value: str) -> str:
    """``value`` as python-dotenv reads it back unchanged: bare when safe, else quoted."""
    if any(ch in value for ch in "\n\r\0"):
        raise UsageError("the value contains a line break", hint="Pass a single-line value.")
    if "${" in value:
        # python-dotenv expands ${VAR} even inside quotes, with no escape.
        raise UsageError(
            "the value contains '${', which .env files expand as a variable",
            hint="Set it in the shell environment instead.",
        )
    if _BARE.match(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _assignment(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*(export\s+)?{re.escape(name)}\s*=")


def assignment_line(text: str, name: str) -> int | None:
    """The 1-based line of the assignment of ``name`` that takes effect (the last one)."""
    assignment = _assignment(name)
    found = None
    for number, line in enumerate(text.splitlines(), start=1):
        if assignment.match(line):
            found = number
    return found


def _commented(name: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*#\s*(export\s+)?{re.escape(name)}\s*=")


def _read(env_file: Path) -> str:
    if not env_file.exists():
        return ""
    if env_file.is_dir():
        raise ConfigError("is a directory, not a .env file", file=env_file)
    try:
        return env_file.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"is not UTF-8 text (byte {exc.start})",
            file=env_file,
            hint="Save the .env file as UTF-8.",
        ) from None


def updated_env_text(text: str, name: str, value: str) -> str:
    """``text`` (a .env file) with ``name`` set to ``value``; see the module docstring."""
    if not _NAME.match(name):
        raise UsageError(f"{name!r} is not a valid environment variable name")
    newline = "\r\n" if "\r\n" in text else "\n"
    line_text = f"{name}={format_env_value(value)}"
    lines = text.splitlines(keepends=True)
    assignment, commented = _assignment(name), _commented(name)
    active = [i for i, line in enumerate(lines) if assignment.match(line)]
    if active:
        first = active[0]
        export = assignment.match(lines[first])
        prefix = "export " if export and export.group(1) else ""
        ending = newline if lines[first].endswith(("\n", "\r")) else ""
        lines[first] = prefix + line_text + ending
        # A later assignment would win over ours: drop it.
        for index in reversed(active[1:]):
            del lines[index]
        return "".join(lines)
    for index, line in enumerate(lines):
        if commented.match(line):
            ending = newline if line.endswith(("\n", "\r")) else ""
            lines[index] = line_text + ending
            return "".join(lines)
    if lines and not lines[-1].endswith(("\n", "\r")):
        lines[-1] += newline
    lines.append(line_text + newline)
    return "".join(lines)


def set_env_value(env_file: Path, name: str, value: str) -> None:
    """Set ``name=value`` in ``env_file`` (created owner-only when missing), atomically."""
    set_env_values(env_file, {name: value})


def set_env_values(env_file: Path, values: Mapping[str, str]) -> None:
    """Set every ``name=value`` of ``values`` in one atomic write: a value that cannot be
    written leaves the file as it was, not half-changed."""
    text = _read(env_file)
    for name, value in values.items():
        text = updated_env_text(text, name, value)
    write_atomic(env_file, text, new_mode=SECRET_FILE_MODE)
