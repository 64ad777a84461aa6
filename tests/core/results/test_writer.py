"""The experiment writer writes every run it counts, whatever the agent's values hold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.results.encoding import MAX_DEPTH
from fluxloop_core.results.models import CallbackCall, ErrorInfo, TraceRecord
from fluxloop_core.results.reader import iter_traces
from fluxloop_core.results.writer import ExperimentWriter

SURROGATE = "x\udcff"


def nested(depth: int) -> Any:
    value: Any = "bottom"
    for level in range(depth):
        value = [value] if level % 2 else {"k": value}
    return value


def depth_of(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def record(run_id: str, **fields: Any) -> TraceRecord:
    values: dict[str, Any] = {
        "run_id": run_id,
        "input_index": 0,
        "iteration": 0,
        "input": "hello",
        "status": "success",
        "started_at": "2025-01-01T00:00:00",
        "duration_ms": 1.0,
        **fields,
    }
    return TraceRecord(**values)


def hostile_records() -> list[TraceRecord]:
    """One run per place an agent's value lands, each too deep or not encodable."""
    records: list[TraceRecord] = []
    for depth in (150, 199, 200, 255, 256, 1000, 10_000):
        records.append(record(f"out{depth}", output=nested(depth)))
    records += [
        record("meta", input_metadata={"deep": nested(1000), SURROGATE: SURROGATE}),
        record("input", input=SURROGATE),
        record("output", output={"text": SURROGATE}),
        record("key", output={SURROGATE: 1}),
        record(
            "callback",
            callback_calls=[
                CallbackCall(
                    parameter="send",
                    provider="builtin:collector.send",
                    args=[nested(1000), SURROGATE],
                    kwargs={"k": nested(300)},
                    timestamp="t",
                )
            ],
        ),
        record("spans", spans=[{"name": SURROGATE, "attributes": nested(1000)}]),
        record(
            "error",
            status="error",
            input=SURROGATE,
            error=ErrorInfo(type="Value\udcffError", message=SURROGATE, traceback=SURROGATE),
        ),
        record("timeout", status="timeout", error=ErrorInfo(type="Timeout", message="late")),
        record("plain", output={"answer": "ok", "n": [1, 2, 3]}),
    ]
    return records


def test_every_counted_run_is_written_and_readable(tmp_path: Path) -> None:
    writer = ExperimentWriter(tmp_path)
    records = hostile_records()
    for item in records:
        writer.add_run(item)
    writer.write_errors()
    writer.close()

    lines = (tmp_path / "traces.jsonl").read_bytes().splitlines()
    stats = writer.stats.result()
    assert stats.total_runs == len(lines) == len(records)
    read = list(iter_traces(tmp_path))
    assert [r.run_id for r in read] == [r.run_id for r in records]
    for line in lines:  # what the readers parse, json parses too
        assert depth_of(json.loads(line)) <= 200
    errors = json.loads((tmp_path / "errors.json").read_text(encoding="utf-8"))
    assert [e["run_id"] for e in errors] == ["error", "timeout"]
    spans = (tmp_path / "artifacts" / "spans.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(s)["run_id"] for s in spans] == ["spans"]


def test_markers_say_why_and_keep_what_they_can(tmp_path: Path) -> None:
    writer = ExperimentWriter(tmp_path)
    for item in hostile_records():
        writer.add_run(item)
    writer.close()
    runs = {r.run_id: r for r in iter_traces(tmp_path)}

    assert runs["out150"].output == nested(150)  # readable as it is: untouched
    for deep in ("out200", "out1000", "out10000"):
        assert f"<too deep: nested more than {MAX_DEPTH} levels>" in json.dumps(runs[deep].output)
    escaped = "<lone surrogates escaped: x\\udcff>"
    assert runs["input"].input == escaped
    assert runs["output"].output == {"text": escaped}
    assert runs["key"].output == {escaped: 1}
    error = runs["error"].error
    assert error is not None
    assert (error.type, error.message, error.traceback) == (
        "<lone surrogates escaped: Value\\udcffError>",
        escaped,
        escaped,
    )
    assert runs["plain"].output == {"answer": "ok", "n": [1, 2, 3]}


@pytest.mark.parametrize("depth", [200, 1000, 10_000])
def test_the_record_returned_is_the_one_written(tmp_path: Path, depth: int) -> None:
    writer = ExperimentWriter(tmp_path)
    written = writer.add_run(record("0.0", output=nested(depth), input=SURROGATE))
    writer.close()

    assert list(iter_traces(tmp_path)) == [written]


def test_a_summary_with_unencodable_values_is_still_written(tmp_path: Path) -> None:
    writer = ExperimentWriter(tmp_path)
    writer.write_summary({"name": SURROGATE, "config": {"deep": nested(1000)}})
    writer.close()

    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["name"] == "<lone surrogates escaped: x\\udcff>"


@pytest.mark.parametrize("torn", [b'{"run_id": "9', b"x" * 200_000, b'{"a": 1}'])
@pytest.mark.parametrize("whole", [0, 1, 3])
def test_reopen_cuts_a_torn_last_line_of_any_length(
    tmp_path: Path, torn: bytes, whole: int
) -> None:
    lines = b"".join(record(f"{i}.0").model_dump_json().encode() + b"\n" for i in range(whole))
    (tmp_path / "artifacts").mkdir()
    (tmp_path / "traces.jsonl").write_bytes(lines + torn)
    (tmp_path / "artifacts" / "spans.jsonl").write_bytes(b'{"run_id": "0.0"}\n' + torn)

    writer = ExperimentWriter.reopen(tmp_path)
    writer.add_run(record("new"))
    writer.close()

    assert (tmp_path / "traces.jsonl").read_bytes().startswith(lines + b"{")
    assert [r.run_id for r in iter_traces(tmp_path)] == [f"{i}.0" for i in range(whole)] + ["new"]
    assert writer.stats.result().total_runs == whole + 1
    assert (tmp_path / "artifacts" / "spans.jsonl").read_bytes() == b'{"run_id": "0.0"}\n'
