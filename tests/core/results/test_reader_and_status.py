"""Reading experiment folders, and `status experiments` / `status traces` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fluxloop_core.errors import UsageError
from fluxloop_core.results.models import (
    ErrorInfo,
    ExperimentSummary,
    ResultStats,
    TraceRecord,
)
from fluxloop_core.results.reader import (
    iter_traces,
    latest_experiment,
    list_experiments,
    load_summary,
)


def write_experiment(root: Path, name: str, started: str, *, interrupted: bool = False) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    stats = ResultStats(
        total_runs=2,
        successful=1,
        failed=1,
        success_rate=0.5,
        avg_duration_ms=2.5,
        p95_duration_ms=4.0,
    )
    summary = ExperimentSummary(
        name=name,
        date=started,
        results=stats,
        started_at=started,
        inputs_count=2,
        iterations=1,
        planned_runs=2,
        parallel_runs=1,
        interrupted=interrupted,
    )
    (folder / "summary.json").write_text(summary.model_dump_json())
    ok = TraceRecord(
        run_id="0.0",
        input_index=0,
        iteration=0,
        input="Hello",
        status="success",
        started_at=started,
        duration_ms=1.0,
        output="Processed: Hello",
    )
    failed = TraceRecord(
        run_id="1.0",
        input_index=1,
        iteration=0,
        input="Bye",
        status="error",
        started_at=started,
        duration_ms=4.0,
        error=ErrorInfo(type="ValueError", message="no", traceback="Traceback ..."),
    )
    lines = ok.model_dump_json() + "\n" + failed.model_dump_json() + "\n"
    (folder / "traces.jsonl").write_text(lines + '{"run_id": "2.0", "inp')  # torn line
    return folder


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "setting.yaml").write_text(
        'name: exp\nrunner:\n  target: "agent:run"\nbase_inputs: ["x"]\n'
    )
    experiments = tmp_path / "experiments"
    write_experiment(experiments, "exp_20250930_150000", "2025-09-30T15:00:00")
    write_experiment(experiments, "exp_20251001_090000", "2025-10-01T09:00:00", interrupted=True)
    crashed = experiments / "exp_20251002_000000"
    crashed.mkdir()
    (crashed / "traces.jsonl").write_text("")
    (experiments / "not_an_experiment").mkdir()
    return tmp_path


def test_listing_is_newest_first_and_reports_unreadable_folders(project: Path) -> None:
    listings = list_experiments(project / "experiments")
    names = [item.path.name for item in listings]
    assert names[1:] == ["exp_20251001_090000", "exp_20250930_150000"]
    assert listings[0].summary is None and "summary.json" in str(listings[0].problem)
    assert listings[1].summary is not None and listings[1].summary.interrupted
    assert latest_experiment(project / "experiments") == listings[0].path
    assert list_experiments(project / "missing") == []


def test_traces_skip_torn_lines_and_filter_failed(project: Path) -> None:
    folder = project / "experiments" / "exp_20250930_150000"
    assert [t.run_id for t in iter_traces(folder)] == ["0.0", "1.0"]
    assert [t.run_id for t in iter_traces(folder, failed_only=True)] == ["1.0"]
    found = next((t for t in iter_traces(folder) if t.run_id == "1.0"), None)
    assert found is not None and found.error is not None and found.error.type == "ValueError"
    assert load_summary(folder).results.success_rate == 0.5
    with pytest.raises(UsageError, match=r"summary\.json"):
        load_summary(project / "experiments" / "exp_20251002_000000")


def fluxloop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_status_experiments_plain_and_json(project: Path) -> None:
    plain = fluxloop("status", "experiments", "--project", str(project), cwd=project)
    assert plain.returncode == 0, plain.stderr
    lines = plain.stdout.splitlines()
    assert lines[0].split() == [
        "EXPERIMENT",
        "DATE",
        "RUNS",
        "SUCCESS",
        "AVG",
        "MS",
        "P95",
        "MS",
        "COST",
        "PASS",
        "GATE",
        "NOTE",
    ]
    assert "exp_20251001_090000" in lines[2] and "interrupted" in lines[2]
    assert "50.0%" in lines[3] and "4.0" in lines[3]
    data = json.loads(fluxloop("status", "experiments", "--json", cwd=project).stdout)
    assert [Path(item["path"]).name for item in data][1:] == [
        "exp_20251001_090000",
        "exp_20250930_150000",
    ]


def test_status_traces_of_a_named_experiment(project: Path) -> None:
    folder = project / "experiments" / "exp_20250930_150000"
    plain = fluxloop("status", "traces", "--experiment", str(folder), "--failed", cwd=project)
    assert plain.returncode == 0, plain.stderr
    assert "ValueError: no" in plain.stdout and "Processed" not in plain.stdout
    limited = fluxloop(
        "status", "traces", "--experiment", str(folder), "--limit", "1", "--json", cwd=project
    )
    assert [t["run_id"] for t in json.loads(limited.stdout)] == ["1.0"]  # the newest
    latest = fluxloop("status", "traces", cwd=project)  # newest folder has no runs
    assert latest.returncode == 0 and "RUN" in latest.stdout


def test_status_without_experiments_is_friendly(tmp_path: Path) -> None:
    (tmp_path / "setting.yaml").write_text('name: e\nrunner:\n  target: "a:b"\n')
    listing = fluxloop("status", "experiments", cwd=tmp_path)
    assert listing.returncode == 0 and "No experiments" in listing.stdout
    traces = fluxloop("status", "traces", cwd=tmp_path)
    assert traces.returncode == 2 and "Traceback" not in traces.stderr
    assert "fluxloop run experiment" in traces.stderr


def write_runs(folder: Path, count: int, **fields: object) -> None:
    folder.mkdir(parents=True)
    records = [
        TraceRecord(
            run_id=f"{i}.0",
            input_index=i,
            iteration=0,
            input=f"question {i}",
            status="error" if i % 7 == 3 else "success",
            started_at="2025-09-30T15:00:00",
            duration_ms=1.0,
            output=f"answer {i}",
            **fields,  # type: ignore[arg-type]
        )
        for i in range(count)
    ]
    (folder / "traces.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records))


def run_ids(stdout: str) -> list[str]:
    return [line.split()[0] for line in stdout.splitlines()[2:] if line.strip()]


def test_status_traces_shows_the_newest_runs_unless_asked_for_all(tmp_path: Path) -> None:
    folder = tmp_path / "exp_20250930_150000"
    write_runs(folder, 2500)
    table = fluxloop("status", "traces", "--experiment", str(folder), cwd=tmp_path)
    assert table.returncode == 0, table.stderr
    assert run_ids(table.stdout) == [f"{i}.0" for i in range(2480, 2500)]
    assert "2500 runs, the newest 20 shown; --all" in table.stdout.splitlines()[0]
    limited = fluxloop(
        "status", "traces", "--experiment", str(folder), "--limit", "3", cwd=tmp_path
    )
    assert run_ids(limited.stdout) == ["2497.0", "2498.0", "2499.0"]
    failed = fluxloop(
        "status", "traces", "--experiment", str(folder), "--failed", "--limit", "2", cwd=tmp_path
    )
    assert run_ids(failed.stdout) == ["2488.0", "2495.0"]
    every = fluxloop("status", "traces", "--experiment", str(folder), "--all", cwd=tmp_path)
    assert len(run_ids(every.stdout)) == 2500 and "shown" not in every.stdout
    as_json = fluxloop("status", "traces", "--experiment", str(folder), "--json", cwd=tmp_path)
    assert len(json.loads(as_json.stdout)) == 2500  # for programs: every run
    both = fluxloop(
        "status", "traces", "--experiment", str(folder), "--all", "--limit", "2", cwd=tmp_path
    )
    assert both.returncode == 2 and "not allowed with" in both.stderr
    zero = fluxloop("status", "traces", "--experiment", str(folder), "--limit", "0", cwd=tmp_path)
    assert zero.returncode == 2


def test_a_run_that_answered_through_callbacks_shows_what_it_sent(tmp_path: Path) -> None:
    from fluxloop_core.results.models import CallbackCall
    from fluxloop_core.results.rows import OUTPUT_COLUMN, run_row

    def call(*args: object, **kwargs: object) -> CallbackCall:
        return CallbackCall(
            parameter="send_message_callback",
            provider="builtin:collector.send",
            args=list(args),
            kwargs=kwargs,
            timestamp="t",
        )

    base = TraceRecord(
        run_id="0.0",
        input_index=0,
        iteration=0,
        input="hi",
        status="success",
        started_at="t",
        duration_ms=1.0,
    )
    assert run_row(base)[OUTPUT_COLUMN] == "null"
    one = base.model_copy(update={"callback_calls": [call("Hello!"), call({"text": "Bye"})]})
    assert run_row(one)[OUTPUT_COLUMN] == 'sent: Hello! | {"text": "Bye"}'
    keyword = base.model_copy(update={"callback_calls": [call(text="Hi", final=True)]})
    assert run_row(keyword)[OUTPUT_COLUMN] == 'sent: {"text": "Hi", "final": true}'
    returned = one.model_copy(update={"output": "own answer"})
    assert run_row(returned)[OUTPUT_COLUMN] == "own answer"  # a returned output wins
    folder = tmp_path / "exp_20250930_150000"
    write_runs(folder, 1, callback_calls=[call("streamed reply")])
    text = (folder / "traces.jsonl").read_text().replace('"output":"answer 0"', '"output":null')
    (folder / "traces.jsonl").write_text(text)
    table = fluxloop("status", "traces", "--experiment", str(folder), cwd=tmp_path)
    assert "sent: streamed reply" in table.stdout and "(1 run)" in table.stdout
