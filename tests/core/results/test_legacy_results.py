"""Experiment folders written by fluxloop-cli 0.2.x are read by status and the TUI's readers."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from legacy_helpers import EXPERIMENT, run_cli

from fluxloop_core.results.reader import (
    iter_traces,
    list_experiments,
    load_summary,
)


def test_the_experiment_is_listed_with_its_counts_and_the_sdk_store_is_not(
    legacy_project: Path,
) -> None:
    listings = list_experiments(legacy_project / "experiments")
    # experiments/artifacts (the 0.1.8 SDK's offline store) holds a traces.jsonl too
    assert [listing.path.name for listing in listings] == [EXPERIMENT]
    summary = listings[0].summary
    assert summary is not None and listings[0].problem is None
    assert (summary.results.total_runs, summary.results.successful) == (6, 6)
    assert summary.results.p95_duration_ms > 0
    assert not summary.interrupted
    assert summary.started_at == summary.date == "2026-12-01T23:12:33.635507"
    assert summary.target == "examples.simple_agent:run"
    assert summary.duration_seconds > 0


def test_the_summary_is_not_recounted_though_traces_are_newer(legacy_project: Path) -> None:
    folder = legacy_project / "experiments" / EXPERIMENT
    (folder / "traces.jsonl").touch()  # newer than summary.json, as a copy can make it
    assert load_summary(folder).results.total_runs == 6


def test_its_trace_lines_read_as_runs_keeping_their_fields(legacy_project: Path) -> None:
    folder = legacy_project / "experiments" / EXPERIMENT
    runs = list(iter_traces(folder))
    assert len(runs) == 6
    first = runs[0]
    assert first.run_id == "157d90e3-658d-40a0-b74a-88da483b8ce2"
    assert first.status == "success"
    assert first.input == "Could you tell me how do i get started?"
    assert first.output == "I can assist you with various tasks. What would you like to know?"
    assert first.input_metadata == {"persona": "novice_user"}
    assert first.duration_ms > 0
    extra = first.model_extra or {}
    assert extra["observation_count"] == 3
    assert extra["conversation"][0]["role"] == "user"
    assert [r.input_index for r in runs] == list(range(6))
    assert list(iter_traces(folder, failed_only=True)) == []


def test_failed_runs_come_from_its_errors_json(legacy_project: Path) -> None:
    folder = legacy_project / "experiments" / EXPERIMENT
    errors = [
        {"iteration": 0, "persona": "expert_user", "input": "boom?", "error": "it broke"},
        {"iteration": 1, "persona": None, "input": "again", "error": "twice"},
    ]
    (folder / "errors.json").write_text(json.dumps(errors))
    failed = list(iter_traces(folder, failed_only=True))
    assert [(r.run_id, r.input, r.status) for r in failed] == [
        ("error-1", "boom?", "error"),
        ("error-2", "again", "error"),
    ]
    assert failed[0].error is not None and failed[0].error.message == "it broke"
    assert failed[0].input_metadata == {"persona": "expert_user"}
    assert len(list(iter_traces(folder))) == 8


def test_a_0_2_failure_line_is_an_error_run(tmp_path: Path) -> None:
    folder = tmp_path / "exp"
    folder.mkdir()
    lines = [
        {"trace_id": "t1", "iteration": 0, "input": "a", "output": "x", "success": True},
        {"trace_id": "t2", "iteration": 0, "input": "b", "success": False, "error": "bad"},
        "not a mapping",
    ]
    (folder / "traces.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))
    runs = list(iter_traces(folder))
    assert [(r.run_id, r.status) for r in runs] == [("t1", "success"), ("t2", "error")]
    assert runs[1].error is not None and runs[1].error.message == "bad"
    # no summary.json (a killed 0.2.x run): still listed, its problem said
    (listing,) = list_experiments(tmp_path)
    assert listing.summary is None and listing.problem is not None


def test_status_traces_and_experiments_show_it(workspace: Path) -> None:
    folder = f"fluxloop/demo-agent/experiments/{EXPERIMENT}"
    shown = run_cli(
        "status", "traces", "--project", "demo-agent", "--experiment", folder, cwd=workspace
    ).stdout
    assert "(6 runs)" in shown
    assert "157d90e3-658d-40a0-b74a-88da483b8ce2" in shown
    as_json = json.loads(
        run_cli(
            "status",
            "traces",
            "--project",
            "demo-agent",
            "--experiment",
            folder,
            "--json",
            cwd=workspace,
        ).stdout
    )
    assert len(as_json) == 6
    listed = run_cli("status", "experiments", "--project", "demo-agent", cwd=workspace).stdout
    assert EXPERIMENT in listed and "6/6" in listed and "artifacts" not in listed


def test_our_own_killed_experiment_is_still_listed(tmp_path: Path, legacy_project: Path) -> None:
    # the SDK-store rule must not hide a folder of ours that lost its summary
    ours = tmp_path / "out" / "mine_20260101_000000"
    ours.mkdir(parents=True)
    record = {
        "run_id": "0.0",
        "input_index": 0,
        "iteration": 0,
        "input": "a",
        "status": "success",
        "started_at": "2026-01-01T00:00:00",
        "duration_ms": 1.0,
    }
    (ours / "traces.jsonl").write_text(json.dumps(record) + "\n")
    shutil.copytree(legacy_project / "experiments" / "artifacts", tmp_path / "out" / "artifacts")
    assert [listing.path.name for listing in list_experiments(tmp_path / "out")] == [ours.name]
