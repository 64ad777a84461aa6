"""Readers report what is on disk: each run once, whatever the file repeats or mangles, and
counts from the lines when the summary is behind them (a hard kill)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fluxloop_core.results.models import ExperimentSummary, ResultStats, TraceRecord
from fluxloop_core.results.reader import iter_traces, list_experiments, load_summary


def line(run_id: str, status: str = "success", duration: float = 1.0) -> bytes:
    record = TraceRecord(
        run_id=run_id,
        input_index=0,
        iteration=0,
        input=f"input {run_id}",
        status=status,  # type: ignore[arg-type]
        started_at="2025-09-30T15:00:00",
        duration_ms=duration,
    )
    return record.model_dump_json().encode() + b"\n"


def summary(total: int, *, finished: bool) -> ExperimentSummary:
    stats = ResultStats(
        total_runs=total, successful=total, failed=0, success_rate=1.0, avg_duration_ms=1.0
    )
    return ExperimentSummary(
        name="exp",
        date="2025-09-30T15:00:00",
        results=stats,
        started_at="2025-09-30T15:00:00",
        finished_at="2025-09-30T15:01:00" if finished else None,
        planned_runs=10,
    )


MANGLED = [
    b"\n",
    b"not json\n",
    b"{}\n",
    b"[1, 2]\n",
    b'{"run_id": 5}\n',
    b"\xff\xfe invalid utf-8\n",
    b"[" * 5000 + b"]" * 5000 + b"\n",
]


@pytest.mark.parametrize("junk", MANGLED, ids=range(len(MANGLED)))
def test_repeated_and_malformed_lines_never_count_twice_or_crash(
    tmp_path: Path, junk: bytes
) -> None:
    (tmp_path / "traces.jsonl").write_bytes(
        line("0.0") + junk + line("1.0", "error") + line("0.0", "error") + junk + line("1.0")
    )

    runs = list(iter_traces(tmp_path))
    assert [(r.run_id, r.status) for r in runs] == [("0.0", "success"), ("1.0", "error")]
    assert [r.run_id for r in iter_traces(tmp_path, failed_only=True)] == ["1.0"]


def test_a_summary_left_by_a_hard_kill_is_counted_from_the_lines(tmp_path: Path) -> None:
    folder = tmp_path / "exp_20250930_150000"
    folder.mkdir()
    # What a SIGKILL leaves: the first checkpoint's summary, and lines written after it.
    (folder / "summary.json").write_text(summary(0, finished=False).model_dump_json())
    lines = [line(f"{i}.0", "error" if i == 3 else "success", i + 1.0) for i in range(5)]
    (folder / "traces.jsonl").write_bytes(b"".join(lines) + lines[0] + b'{"run_id": "9')

    [listing] = list_experiments(tmp_path)
    assert listing.summary is not None
    results = listing.summary.results
    assert (results.total_runs, results.successful, results.failed) == (5, 4, 1)
    assert listing.summary.interrupted is True
    assert load_summary(folder).results.total_runs == 5


def test_a_finished_summary_older_than_the_lines_is_counted_from_the_lines(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "exp_20250930_150000"
    folder.mkdir()
    (folder / "traces.jsonl").write_bytes(line("0.0") + line("1.0"))
    (folder / "summary.json").write_text(summary(2, finished=True).model_dump_json())
    assert load_summary(folder).results.total_runs == 2  # trusted: written after the lines

    with open(folder / "traces.jsonl", "ab") as handle:
        handle.write(line("2.0"))  # a later resume, killed before it checkpointed
    older = (folder / "summary.json").stat().st_mtime_ns - 1_000_000_000
    os.utime(folder / "summary.json", ns=(older, older))

    assert load_summary(folder).results.total_runs == 3


def test_status_reports_the_runs_on_disk_after_a_hard_kill(tmp_path: Path) -> None:
    (tmp_path / "setting.yaml").write_text(
        'name: exp\nrunner:\n  target: "agent:run"\nbase_inputs: ["x"]\n'
    )
    folder = tmp_path / "experiments" / "exp_20250930_150000"
    folder.mkdir(parents=True)
    (folder / "summary.json").write_text(summary(0, finished=False).model_dump_json())
    (folder / "traces.jsonl").write_bytes(b"".join(line(f"{i}.0") for i in range(7)))

    listed = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "status", "experiments", "--json"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert listed.returncode == 0, listed.stderr
    [item] = json.loads(listed.stdout)
    assert item["summary"]["results"]["total_runs"] == 7
    assert item["summary"]["interrupted"] is True
