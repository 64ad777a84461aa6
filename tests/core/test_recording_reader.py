"""Reading recordings: valid lines, broken lines with their numbers, markers, the line index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fluxloop.serialization import MAX_DEPTH

from fluxloop_core.errors import RecordingError
from fluxloop_core.recording import (
    LineIndex,
    RecordedCall,
    RecordingProblem,
    TooDeep,
    callable_marker,
    callable_parameters,
    copy_json,
    iter_recording,
    json_depth,
    load_json_line,
    missing_providers,
    read_recording,
)

SEED_LINE = (
    '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
    '"kwargs": {"data": {"content": "test"}}, "timestamp": "2025-09-30T00:00:00"}'
)


def line(target: str = "m:f", iteration: int = 0, **kwargs: object) -> str:
    return json.dumps(
        {
            "_version": "1",
            "iteration": iteration,
            "target": target,
            "kwargs": kwargs,
            "timestamp": "2025-09-30T00:00:00+00:00",
        }
    )


def test_seed_mock_recording_line_parses(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(SEED_LINE + "\n")
    recording = read_recording(path)
    assert recording.problems == []
    call = recording.calls[0]
    assert (call.target, call.iteration, call.line_number) == ("examples.simple_agent:run", 0, 1)
    assert call.kwargs == {"data": {"content": "test"}}


def test_broken_lines_are_reported_with_their_numbers(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(
        "\n".join(
            [
                line(a=1),
                "{not json",
                "",
                '["a list"]',
                '{"_version": "1", "iteration": 0}',
                '{"_version": "9", "iteration": 0, "target": "m:f", "kwargs": {}, '
                '"timestamp": "2025-01-01T00:00:00"}',
                line(target="nocolon"),
                line(a=2),
            ]
        )
        + "\n"
    )
    recording = read_recording(path)
    assert [c.line_number for c in recording.calls] == [1, 8]
    problems = {p.line_number: p.message for p in recording.problems}
    assert set(problems) == {2, 4, 5, 6, 7}
    assert "not valid JSON" in problems[2]
    assert "not a JSON object" in problems[4]
    assert "target: missing" in problems[5] and "kwargs: missing" in problems[5]
    assert "unsupported _version" in problems[6]
    assert "module:Qualname" in problems[7]


def test_strict_reading_stops_at_the_first_broken_line(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line() + "\noops\n")
    with pytest.raises(RecordingError) as info:
        list(iter_recording(path, strict=True))
    assert info.value.line == 2 and str(path) in info.value.render()


def test_missing_file_uses_the_seed_message(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match=r"Recording file not found: .*args\.jsonl"):
        read_recording(tmp_path / "recordings" / "args.jsonl")


def test_filter_by_target_counts_the_others(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join([line("a:x"), line("b:y"), line("b:y")]) + "\n")
    recording = read_recording(path, target="a:x")
    assert len(recording.calls) == 1 and recording.other_targets == {"b:y": 2}


def test_callable_markers_and_missing_providers() -> None:
    assert callable_marker("<builtin:collector.send>") == ("builtin", "collector.send")
    assert callable_marker("<callable:cb>") == ("callable", "cb")
    assert callable_marker("<repr:object>") is None
    assert callable_marker(3) is None
    kwargs = {"send": "<builtin:collector.send>", "custom": "<callable:custom>", "data": {}}
    assert callable_parameters(kwargs) == {
        "send": "<builtin:collector.send>",
        "custom": "<callable:custom>",
    }
    call = RecordedCall.model_validate(
        {"_version": "1", "iteration": 0, "target": "m:f", "kwargs": kwargs}
        | {"timestamp": "2025-01-01"}
    )
    assert missing_providers([call], {"send": "builtin:collector.send"}) == ["custom"]


def test_line_index_gives_random_access_and_builds_in_steps(tmp_path: Path) -> None:
    path = tmp_path / "r.jsonl"
    lines = [line(i=i) for i in range(1000)]
    path.write_text("\n".join(lines))  # no trailing newline on the last line
    index = LineIndex(path)
    steps = 0
    while not index.build_step(max_bytes=4096):
        steps += 1
        assert len(index) < 1000
    assert steps > 1
    assert len(index) == 1000
    assert json.loads(index.read_line(0))["kwargs"] == {"i": 0}
    assert json.loads(index.read_line(999))["kwargs"] == {"i": 999}
    window = index.read_lines(995, 10)
    assert [json.loads(w)["kwargs"]["i"] for w in window] == [995, 996, 997, 998, 999]
    with pytest.raises(IndexError):
        index.read_line(1000)


def test_line_index_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text("")
    index = LineIndex(path).build()
    assert len(index) == 0 and index.read_lines(0, 5) == []


def test_problem_is_a_value_not_an_exception() -> None:
    from fluxloop_core.recording import parse_line

    assert isinstance(parse_line(b"\xff\xfe", 3), RecordingProblem)


def deep_line(levels: int, kind: str) -> str:
    """A valid call whose kwargs value nests so that the whole line has ``levels`` levels."""
    inner = levels - 2  # the line and kwargs
    opening, closing = ("[", "]") if kind == "list" else ('{"k": ', "}")
    value = opening * inner + "1" + closing * inner
    return line(deep=0).replace('"deep": 0', f'"deep": {value}')


@pytest.mark.parametrize("kind", ["list", "dict"])
@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 900, 10_000])
def test_a_too_deep_line_is_a_broken_line_with_the_limit(
    tmp_path: Path, kind: str, levels: int
) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(line() + "\n" + deep_line(levels, kind) + "\n" + line() + "\n")
    recording = read_recording(path)
    assert len(recording.calls) == 2
    assert recording.problems == [RecordingProblem(2, f"too deeply nested (limit {MAX_DEPTH})")]
    with pytest.raises(RecordingError) as caught:
        read_recording(path, strict=True)
    assert caught.value.render().startswith(f"{path}:2: too deeply nested (limit {MAX_DEPTH})")
    text = deep_line(levels, kind)
    for raw in (text, text.encode()):
        with pytest.raises(TooDeep):
            load_json_line(raw)


@pytest.mark.parametrize("kind", ["list", "dict"])
def test_a_line_at_the_limit_is_read_and_copied_apart(tmp_path: Path, kind: str) -> None:
    path = tmp_path / "r.jsonl"
    path.write_text(deep_line(MAX_DEPTH, kind) + "\n")
    (call,) = read_recording(path).calls
    assert json_depth(call.kwargs) == MAX_DEPTH - 1
    copied = call.copy_kwargs()
    assert copied == call.kwargs and copied is not call.kwargs
    assert copied["deep"] is not call.kwargs["deep"]


def test_copy_json_needs_no_recursion() -> None:
    value: object = {"leaf": [1, "two", None]}
    for _ in range(20_000):
        value = [value, {"n": 1}]
    copied = copy_json(value)
    assert json_depth(copied) == json_depth(value) == 20_002
    cursor_a, cursor_b = value, copied
    while isinstance(cursor_a, list):
        assert isinstance(cursor_b, list) and cursor_a is not cursor_b
        cursor_a, cursor_b = cursor_a[0], cursor_b[0]
    assert cursor_a == cursor_b and cursor_a is not cursor_b


def test_line_problems_are_in_our_words() -> None:
    from fluxloop_core.recording import parse_line

    line = b'{"_version": "1", "iteration": "x", "target": "a:b", "kwargs": {}, "timestamp": "t"}'
    problem = parse_line(line, 4)
    assert isinstance(problem, RecordingProblem)
    assert "iteration: must be a whole number" in problem.message
    assert "should" not in problem.message
