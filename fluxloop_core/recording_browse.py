"""Browsing a recording: which file to open, what each line is, which lines a filter keeps.

The recording inspector (``fluxloop tui``) is a skin over these: it shows the lines that
:func:`matching_lines` returns and the items :func:`read_item` makes of them.
"""

from __future__ import annotations

import json
from array import array
from collections.abc import Callable
from pathlib import Path

from fluxloop_core.recording import RecordedCall, RecordingProblem, load_json_line, parse_line

Item = RecordedCall | RecordingProblem | None
"""One line of a recording: a call, a problem, or None for a blank line."""

CANCEL_CHECK_LINES = 4096
"""How many lines a filter scan reads between two looks at its ``cancelled`` callback."""


def read_item(raw: bytes, line_number: int) -> Item:
    """One line of a recording: a call, a problem, or None for a blank line."""
    if not raw.strip():
        return None
    return parse_line(raw, line_number)


def default_recording(project_dir: Path, recording_file: Path | None) -> Path | None:
    """The project's replay_args.recording_file when it exists, else its first recording."""
    if recording_file is not None and recording_file.is_file():
        return recording_file
    folder = project_dir / "recordings"
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    return files[0] if files else None


def line_matches(raw: bytes, needle: str, target: str | None) -> bool:
    """Whether a raw line holds ``needle`` (lower case, matched in any case) and, when
    ``target`` is given, is a call of that target."""
    if target is not None:
        if json.dumps(target).encode() not in raw:
            return False
        try:
            data = load_json_line(raw)
        except ValueError:
            return False
        if not isinstance(data, dict) or data.get("target") != target:
            return False
    if not needle:
        return True
    text = raw.decode("utf-8", "replace").lower()
    if needle in text:
        return True
    if "\\u" in text and not needle.isascii():  # escaped non-ASCII text: match it decoded
        try:
            decoded = json.dumps(load_json_line(raw), ensure_ascii=False).lower()
        except ValueError:
            return False
        return needle in decoded
    return False


def matching_lines(
    path: Path, needle: str, target: str | None, cancelled: Callable[[], bool]
) -> array[int] | None:
    """The (0-based) numbers of the lines of ``path`` that :func:`line_matches`, read
    straight from the file; None when ``cancelled()`` turns true before the end."""
    rows = array("L")
    with path.open("rb") as handle:
        for number, raw in enumerate(handle):
            if number % CANCEL_CHECK_LINES == 0 and cancelled():
                return None
            if line_matches(raw, needle, target):
                rows.append(number)
    return None if cancelled() else rows
