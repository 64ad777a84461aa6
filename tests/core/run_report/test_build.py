"""Streaming an experiment into reports: files, replayed arguments, hostile folders."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.errors import UsageError
from fluxloop_core.results.models import ExperimentSummary, ResultStats, TraceRecord
from fluxloop_core.run_report.build import run_file_name, write_run_reports

START = "2026-01-01T00:00:00+00:00"


def _experiment(folder: Path, records: list[dict[str, Any]], tail: str = "") -> Path:
    folder.mkdir(parents=True)
    stats = ResultStats(
        total_runs=len(records), successful=len(records), failed=0, success_rate=1.0,
        avg_duration_ms=1.0,
    )  # fmt: skip
    summary = ExperimentSummary(name="exp", date=START, results=stats)
    (folder / "summary.json").write_text(summary.model_dump_json())
    lines = [TraceRecord.model_validate(r).model_dump_json() + "\n" for r in records]
    (folder / "traces.jsonl").write_text("".join(lines) + tail)
    return folder


def _run(run_id: str, **fields: Any) -> dict[str, Any]:
    index, _, iteration = run_id.partition(".")
    return {
        "run_id": run_id, "input_index": int(index or 0), "iteration": int(iteration or 0),
        "input": f"input {run_id}", "status": "success", "started_at": START,
        "duration_ms": 1.0, "output": f"out {run_id}", **fields,
    }  # fmt: skip


def test_index_always_run_files_only_per_run(tmp_path: Path) -> None:
    folder = _experiment(tmp_path / "e", [_run("0.0"), _run("1.0")], tail='{"torn')
    result = write_run_reports(folder)
    assert (result.runs, result.run_files) == (2, 0)
    assert result.index == folder / "report" / "index.md"
    assert not (folder / "report" / "runs").exists()
    result = write_run_reports(folder, fmt="html", per_run=True, output_dir=tmp_path / "out")
    assert sorted(p.name for p in (tmp_path / "out" / "runs").iterdir()) == [
        "run-0.0.html",
        "run-1.0.html",
    ]
    assert 'href="runs/run-0.0.html"' in result.index.read_text()


def test_replayed_arguments_come_from_the_recording_line(tmp_path: Path) -> None:
    recording = tmp_path / "args.jsonl"
    calls = [
        {"_version": "1", "iteration": i, "target": "a:b", "kwargs": {"data": {"n": i}},
         "timestamp": START}
        for i in range(3)
    ]  # fmt: skip
    recording.write_text("".join(json.dumps(c) + "\n" for c in calls))
    source = {"recording_file": str(recording), "line_number": 3, "iteration": 2}
    gone = {"recording_file": str(tmp_path / "gone.jsonl"), "line_number": 1, "iteration": 0}
    device = {"recording_file": "/dev/zero", "line_number": 1, "iteration": 0}
    folder = _experiment(
        tmp_path / "e",
        [_run("0.0", replay_source=source), _run("1.0", replay_source=gone),
         _run("2.0", replay_source=device)],
    )  # fmt: skip
    write_run_reports(folder, per_run=True)
    runs = folder / "report" / "runs"
    assert '"n": 2' in (runs / "run-0.0.md").read_text()
    for name in ("run-1.0.md", "run-2.0.md"):
        assert "could not be read" in (runs / name).read_text()


def test_hostile_run_ids_make_safe_file_names() -> None:
    assert run_file_name("../../etc/passwd", "md") == "run-.._.._etc_passwd.md"
    assert "/" not in run_file_name("a/b\\c\x00", "html")
    assert len(run_file_name("9" * 10_000, "md")) < 120


def test_not_an_experiment_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        write_run_reports(tmp_path)
    folder = _experiment(tmp_path / "e", [_run("0.0")])
    with pytest.raises(UsageError):
        write_run_reports(folder, fmt="pdf")


def test_a_failure_while_writing_leaves_no_half_index(tmp_path: Path) -> None:
    folder = _experiment(tmp_path / "e", [_run("0.0")])
    write_run_reports(folder)
    before = (folder / "report" / "index.md").read_text()
    (folder / "traces.jsonl").write_text(
        TraceRecord.model_validate(_run("0.0")).model_dump_json() + "\n"
        + TraceRecord.model_validate(_run("1.0")).model_dump_json() + "\n"
    )  # fmt: skip

    def explode(done: int) -> None:
        if done == 2:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        write_run_reports(folder, on_progress=explode)
    assert (folder / "report" / "index.md").read_text() == before
    assert [p.name for p in (folder / "report").iterdir()] == ["index.md"]
