"""What a run's report holds, from hostile and ordinary trace lines alike."""

from __future__ import annotations

from typing import Any

from fluxloop_core.results.models import CallbackCall, ErrorInfo, ReplaySource, TraceRecord
from fluxloop_core.run_report.document import SPAN_ROWS, VALUE_CHARS, run_sections, timeline_rows

START = "2026-01-01T00:00:00+00:00"


def _record(**fields: Any) -> TraceRecord:
    base: dict[str, Any] = {
        "run_id": "0.0",
        "input_index": 0,
        "iteration": 0,
        "input": "hi",
        "status": "success",
        "started_at": START,
        "duration_ms": 12.0,
    }
    return TraceRecord.model_validate({**base, **fields})


def test_sections_in_reading_order_with_each_part_present() -> None:
    record = _record(
        input_metadata={"persona": "novice"},
        replay_source=ReplaySource(recording_file="/r.jsonl", line_number=3, iteration=0),
        spans=[{"span_id": "a", "name": "run", "start": START, "duration_ms": 5}],
        callback_calls=[
            CallbackCall(
                parameter="send", provider="builtin:collector.send", args=["yo"], timestamp=START
            )
        ],
        output={"reply": "yo"},
        status="error",
        error=ErrorInfo(type="ValueError", message="bad", traceback="Traceback ...\nValueError"),
    )
    sections = run_sections(record, {"data": {"content": "hi"}})
    assert [s.title for s in sections] == [
        "Run",
        "Input",
        "Input metadata",
        "Replayed arguments",
        "Timeline",
        "Callback calls",
        "Output",
        "Error",
    ]
    run = dict(sections[0].rows[1:])
    assert run["replayed from"] == "/r.jsonl:3"
    assert '"content": "hi"' in sections[3].text
    assert sections[-1].text.startswith("ValueError: bad\n\nTraceback")


def test_an_unreadable_recording_line_is_said_not_hidden() -> None:
    record = _record(replay_source=ReplaySource(recording_file="/gone", line_number=1, iteration=0))
    replayed = next(s for s in run_sections(record, None) if s.title == "Replayed arguments")
    assert "could not be read" in replayed.text


def test_timeline_orders_by_start_indents_children_and_survives_bad_spans() -> None:
    spans: list[Any] = [
        {
            "span_id": "b",
            "parent_id": "a",
            "name": "tool",
            "start": "2026-01-01T00:00:00.002+00:00",
            "duration_ms": 1,
        },
        {"span_id": "a", "parent_id": None, "name": "agent", "start": START, "duration_ms": 4},
        {"span_id": "c", "parent_id": "c", "name": "self-parent"},  # a cycle must end
        {"name": 7, "start": "not a time", "duration_ms": "x"},
        "not a span",
    ]
    rows = timeline_rows(spans, START)
    assert len(rows) == 1 + 4  # the header, then every span that is a mapping
    agent = next(row for row in rows if row[2] == "agent")
    tool = next(row for row in rows if row[2].strip() == "tool")
    assert tool[2] == "  tool" and tool[0] == "2.0"
    assert agent[0] == "0.000" and agent[1] == "4.0"
    assert any(row[2] == "7" and row[0] == "" and row[1] == "" for row in rows)


def test_large_runs_are_bounded() -> None:
    spans = [{"span_id": str(i), "name": f"s{i}", "start": START} for i in range(SPAN_ROWS + 5)]
    rows = timeline_rows(spans, START)
    assert len(rows) == 1 + SPAN_ROWS + 1 and "5 more spans" in rows[-1][2]
    output = next(
        s
        for s in run_sections(_record(output="x" * (VALUE_CHARS + 10)), None)
        if s.title == "Output"
    )
    assert output.text.endswith("(10 more characters)")
