"""Read recordings: JSONL files of recorded calls written by ``fluxloop.record_call_args``.

A line is ``{"_version": "1", "iteration": N, "target": "module:Qualname", "kwargs": {...},
"timestamp": ISO-8601}``. Readers stream (one line in memory at a time) and report a broken
line with its number instead of stopping at it, unless asked to be strict. The
:class:`LineIndex` gives random access to any line of a file of any size, for the TUI.
"""

from __future__ import annotations

import json
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fluxloop.serialization import MAX_DEPTH
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from fluxloop_core.errors import RecordingError
from fluxloop_core.wording import problem_text

SUPPORTED_VERSIONS = frozenset({"1"})

_MARKER = re.compile(r"^<(builtin|callable):([^>]+)>$")


class RecordedCall(BaseModel):
    """One recorded call: the kwargs a target received, and where the line sits."""

    # Unknown fields are ignored so newer SDKs can add some without breaking old readers.
    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    version: str = Field(alias="_version")
    iteration: int
    target: str
    kwargs: dict[str, Any]
    timestamp: str
    line_number: int = Field(default=0, exclude=True)

    def copy_kwargs(self) -> dict[str, Any]:
        """A fresh deep copy of the kwargs, for a run to change (no recursion)."""
        copied: dict[str, Any] = copy_json(self.kwargs)
        return copied

    @field_validator("version", mode="before")
    @classmethod
    def _known_version(cls, value: Any) -> Any:
        if str(value) not in SUPPORTED_VERSIONS:
            raise ValueError(
                f"unsupported _version {value!r} (this FluxLoop reads "
                f"{', '.join(sorted(SUPPORTED_VERSIONS))})"
            )
        return str(value)

    @field_validator("target")
    @classmethod
    def _target_shape(cls, value: str) -> str:
        module, sep, qualname = value.partition(":")
        if not sep or not module or not qualname:
            raise ValueError(f'target {value!r} is not "module:Qualname"')
        return value

    @field_validator("timestamp", mode="before")
    @classmethod
    def _iso_timestamp(cls, value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError("timestamp must be an ISO-8601 string")
        try:
            datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"timestamp {value!r} is not ISO-8601") from None
        return value


class TooDeep(ValueError):
    """A JSON line nests deeper than :data:`MAX_DEPTH` levels (the SDK writes no deeper)."""

    def __init__(self) -> None:
        super().__init__(f"too deeply nested (limit {MAX_DEPTH})")


def json_depth(value: Any) -> int:
    """Levels of nesting of JSON data (a scalar is 0, ``[]`` is 1), walked without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            deepest = max(deepest, depth)
            continue
        deepest = max(deepest, depth + 1)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def load_json_line(text: str | bytes) -> Any:
    """``json.loads`` for lines read from outside: deeper than :data:`MAX_DEPTH` is TooDeep.

    The parser recurses per level, so a 10,000-deep line would raise RecursionError; every
    later copy or walk would too. A line with fewer brackets than the limit cannot be too
    deep, which keeps the exact check off the common path.
    """
    try:
        data = json.loads(text)
    except RecursionError:
        raise TooDeep() from None
    raw = text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass")
    if raw.count(b"[") + raw.count(b"{") > MAX_DEPTH and json_depth(data) > MAX_DEPTH:
        raise TooDeep()
    return data


def copy_json(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, scalars) without recursion."""
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while stack:
        item, target, slot = stack.pop()
        if isinstance(item, dict):
            copied: Any = dict.fromkeys(item)
            stack.extend((child, copied, key) for key, child in item.items())
        elif isinstance(item, list):
            copied = [None] * len(item)
            stack.extend((child, copied, index) for index, child in enumerate(item))
        else:
            copied = item
        target[slot] = copied
    return root[0]


@dataclass(frozen=True)
class RecordingProblem:
    """A line that is not a valid recorded call, and why."""

    line_number: int
    message: str


@dataclass
class Recording:
    """The calls of a recording (for one target, when asked) and its broken lines."""

    path: Path
    calls: list[RecordedCall] = field(default_factory=list)
    problems: list[RecordingProblem] = field(default_factory=list)
    other_targets: dict[str, int] = field(default_factory=dict)


def parse_line(text: str | bytes, line_number: int) -> RecordedCall | RecordingProblem:
    """Parse one line; a problem (never an exception) when it is not a valid call."""
    try:
        data = load_json_line(text)
    except TooDeep as exc:
        return RecordingProblem(line_number, str(exc))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        return RecordingProblem(line_number, f"not valid JSON ({reason})")
    if not isinstance(data, dict):
        return RecordingProblem(line_number, f"not a JSON object but a {type(data).__name__}")
    try:
        call = RecordedCall.model_validate(data)
    except ValidationError as exc:
        reasons = []
        for error in exc.errors():
            where = ".".join(str(p) for p in error["loc"])
            what = "missing" if error["type"] == "missing" else problem_text(error)
            reasons.append(f"{where}: {what}".removeprefix(": "))
        return RecordingProblem(line_number, "; ".join(reasons))
    call.line_number = line_number
    return call


def _open_recording(path: Path) -> Any:
    if not path.exists():
        raise RecordingError(
            f"Recording file not found: {path}",
            hint="Relative paths are from the config file's folder; check with "
            f"`ls -lh {path}` or use an absolute path in replay_args.recording_file.",
        )
    if path.is_dir():
        raise RecordingError(f"{path} is a directory, not a recording file")
    if not path.is_file():  # a device or pipe would be read, or waited on, forever
        raise RecordingError(f"{path} is not a regular file (a device, pipe or socket)")
    return path.open("rb")


def iter_recording(
    path: Path, *, strict: bool = False
) -> Iterator[RecordedCall | RecordingProblem]:
    """Stream a recording line by line; blank lines are skipped.

    With ``strict`` the first broken line raises a RecordingError naming it.
    """
    with _open_recording(path) as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            item = parse_line(raw, number)
            if strict and isinstance(item, RecordingProblem):
                raise RecordingError(
                    item.message,
                    file=path,
                    line=item.line_number,
                    hint="Fix or delete that line, or run without --strict to skip it.",
                )
            yield item


def read_recording(path: Path, *, target: str | None = None, strict: bool = False) -> Recording:
    """All valid calls (of ``target`` when given), plus every broken line."""
    recording = Recording(path=path)
    for item in iter_recording(path, strict=strict):
        if isinstance(item, RecordingProblem):
            recording.problems.append(item)
        elif target is None or item.target == target:
            recording.calls.append(item)
        else:
            recording.other_targets[item.target] = recording.other_targets.get(item.target, 0) + 1
    return recording


def callable_marker(value: Any) -> tuple[str, str] | None:
    """``("builtin", "collector.send")`` for ``"<builtin:collector.send>"``; else None."""
    if isinstance(value, str):
        match = _MARKER.match(value)
        if match:
            return match.group(1), match.group(2)
    return None


def callable_parameters(kwargs: dict[str, Any]) -> dict[str, str]:
    """Top-level parameters recorded as callables: name -> marker string."""
    return {name: value for name, value in kwargs.items() if callable_marker(value) is not None}


def missing_providers(calls: list[RecordedCall], providers: dict[str, str]) -> list[str]:
    """Callable parameters in the calls with no entry in ``callable_providers``, sorted."""
    missing = {
        name for call in calls for name in callable_parameters(call.kwargs) if name not in providers
    }
    return sorted(missing)


class LineIndex:
    """Byte offsets of every line of a file, for random access to huge recordings.

    Built in chunks (``build_step``) so a UI can index in the background and show the lines
    indexed so far; offsets live in a compact ``array`` (8 bytes a line).
    """

    CHUNK = 1 << 20

    def __init__(self, path: Path) -> None:
        self.path = path
        self._starts = array("Q", [0])
        self._scanned = 0
        self._size = path.stat().st_size
        self.complete = self._size == 0

    def __len__(self) -> int:
        """Lines indexed so far (a final line without a newline counts once complete)."""
        lines = len(self._starts) - 1
        if self.complete and self._starts[-1] < self._size:
            lines += 1
        return lines

    def build_step(self, max_bytes: int = CHUNK) -> bool:
        """Index up to ``max_bytes`` more; returns True when the whole file is indexed."""
        if self.complete:
            return True
        with self.path.open("rb") as handle:
            handle.seek(self._scanned)
            chunk = handle.read(max_bytes)
        base = self._scanned
        position = chunk.find(b"\n")
        while position != -1:
            self._starts.append(base + position + 1)
            position = chunk.find(b"\n", position + 1)
        self._scanned += len(chunk)
        if not chunk or self._scanned >= self._size:
            self.complete = True
        return self.complete

    def build(self) -> LineIndex:
        """Index the whole file now."""
        while not self.build_step():
            pass
        return self

    def read_line(self, index: int) -> bytes:
        """The bytes of line ``index`` (0-based), without the newline."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        start = self._starts[index]
        end = self._starts[index + 1] if index + 1 < len(self._starts) else self._size
        with self.path.open("rb") as handle:
            handle.seek(start)
            return handle.read(end - start).rstrip(b"\r\n")

    def read_lines(self, first: int, count: int) -> list[bytes]:
        """Lines ``first`` .. ``first + count - 1`` (fewer at the end), in one read."""
        last = min(first + count, len(self))
        if first >= last:
            return []
        start = self._starts[first]
        end = self._starts[last] if last < len(self._starts) else self._size
        with self.path.open("rb") as handle:
            handle.seek(start)
            data = handle.read(end - start)
        lines = data.split(b"\n")
        return [line.rstrip(b"\r") for line in lines[: last - first]]
