"""Browsing a recording: the default file, the items of its lines, the filter."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.recording import RecordedCall, RecordingProblem
from fluxloop_core.recording_browse import (
    CANCEL_CHECK_LINES,
    default_recording,
    line_matches,
    matching_lines,
    read_item,
)

CALL = (
    '{"_version": "1", "iteration": %d, "target": "%s", "kwargs": {"text": "%s"}, '
    '"timestamp": "2025-09-30T14:00:00"}\n'
)


def never() -> bool:
    return False


def test_line_matches() -> None:
    raw = b'{"target": "m:f", "kwargs": {"x": "Caf\\u00e9"}}\n'
    assert line_matches(raw, "caf", None)
    assert line_matches(raw, "café", None)
    assert line_matches(raw, "", "m:f")
    assert not line_matches(raw, "", "m:g")
    assert not line_matches(b"{broken", "", "m:f")


def test_line_matches_skips_a_line_too_deep_to_read() -> None:
    deep = b'{"target": "m:f", "kwargs": {"text": "hi", "x": ' + b"[" * 10_000 + b"]" * 10_000
    assert not line_matches(deep + b"}}", "hi", "m:f")
    assert line_matches(b'{"target": "m:f", "kwargs": {"text": "hi"}}', "hi", "m:f")


def test_a_target_named_only_in_a_kwarg_is_not_that_target() -> None:
    raw = b'{"target": "m:g", "kwargs": {"text": "m:f"}}'
    assert line_matches(raw, "", "m:g")
    assert not line_matches(raw, "", "m:f")


def test_read_item_is_a_call_a_problem_or_none_for_a_blank_line() -> None:
    assert isinstance(read_item((CALL % (0, "m:f", "hi")).encode(), 1), RecordedCall)
    problem = read_item(b'{"_version": "1"', 2)
    assert isinstance(problem, RecordingProblem) and problem.line_number == 2
    assert read_item(b"", 3) is None
    assert read_item(b"  \r\n", 4) is None


def test_matching_lines_are_numbered_from_zero_in_file_order(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    lines = [CALL % (i, "m:f" if i % 2 else "m:g", f"message {i}") for i in range(10)]
    path.write_text("".join(lines) + "\n{broken\n", encoding="utf-8")
    assert list(matching_lines(path, "message 3", None, never) or []) == [3]
    assert list(matching_lines(path, "", "m:f", never) or []) == [1, 3, 5, 7, 9]
    assert list(matching_lines(path, "broken", None, never) or []) == [11]
    assert list(matching_lines(path, "nowhere", None, never) or []) == []


def test_a_cancelled_scan_returns_nothing_at_its_start_middle_or_end(tmp_path: Path) -> None:
    path = tmp_path / "calls.jsonl"
    path.write_text(CALL % (0, "m:f", "x") * (CANCEL_CHECK_LINES * 2), encoding="utf-8")
    for looks_before_cancel in (0, 1, 2):  # at lines 0 and 4096, and after the last
        looks: list[int] = []

        def cancelled(after: int = looks_before_cancel, seen: list[int] = looks) -> bool:
            seen.append(1)
            return len(seen) > after

        assert matching_lines(path, "", None, cancelled) is None
    assert matching_lines(path, "", None, never) is not None


def test_default_recording_is_the_configured_file_else_the_first_by_name(tmp_path: Path) -> None:
    folder = tmp_path / "recordings"
    assert default_recording(tmp_path, None) is None  # no folder
    folder.mkdir()
    assert default_recording(tmp_path, None) is None  # an empty folder
    (folder / "b.jsonl").write_text("")
    (folder / "a.jsonl").write_text("")
    (folder / "notes.txt").write_text("")
    assert default_recording(tmp_path, None) == folder / "a.jsonl"
    configured = tmp_path / "elsewhere.jsonl"
    assert default_recording(tmp_path, configured) == folder / "a.jsonl"  # missing: fall back
    configured.write_text("")
    assert default_recording(tmp_path, configured) == configured
