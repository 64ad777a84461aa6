"""Re-grading an experiment on disk: one verdict line per run, atomic, locked, flat."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import record

from fluxloop_core.errors import UsageError
from fluxloop_core.evaluation.files import (
    RESULTS_FILE,
    SUMMARY_FILE,
    evaluation_dir,
    iter_verdicts,
    verdict_line,
)
from fluxloop_core.evaluation.regrade import grade_existing, regrade_experiment
from fluxloop_core.evaluation.spec import GateSpec, validate_evaluation
from fluxloop_core.evaluation.verdicts import EvaluationPlan, RunVerdict, compile_plan
from fluxloop_core.results.encoding import record_line
from fluxloop_core.results.lock import FolderLock
from fluxloop_core.results.models import TRACES_FILE


def plan_for(keyword: str) -> EvaluationPlan:
    return compile_plan(
        validate_evaluation({"checks": [{"check": "contains", "keywords": [keyword]}]})
    )


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    runs = [
        record("alpha" if i % 2 else "beta", input_index=i % 3, iteration=i // 3) for i in range(9)
    ]
    lines = b"".join(record_line(run)[1] for run in runs)
    # A repeated line and a torn last line: read as every reader reads them.
    (tmp_path / TRACES_FILE).write_bytes(lines + record_line(runs[0])[1] + b'{"run_id": "x')
    return tmp_path


def results_lines(folder: Path) -> list[bytes]:
    return (evaluation_dir(folder) / RESULTS_FILE).read_bytes().splitlines()


def test_regrade_writes_one_verdict_per_run_and_the_summary(experiment: Path) -> None:
    seen: list[RunVerdict] = []
    summary = regrade_experiment(
        experiment, plan_for("alpha"), GateSpec(min_pass_rate=0.5), on_run=seen.append
    )
    assert len(results_lines(experiment)) == 9 == len(seen) == summary.runs
    assert summary.passed_runs == 4 and not summary.gate.passed
    data = json.loads((evaluation_dir(experiment) / SUMMARY_FILE).read_text())
    assert data["passed_runs"] == 4 and data["gate"]["passed"] is False
    # A second re-grade with other checks replaces the file, never appends to it.
    again = regrade_experiment(experiment, plan_for("a"))
    assert again.passed_runs == 9 and len(results_lines(experiment)) == 9
    assert all(v.passed for v in iter_verdicts(experiment))


def test_interrupted_regrade_leaves_the_old_results(experiment: Path) -> None:
    regrade_experiment(experiment, plan_for("alpha"))
    before = results_lines(experiment)

    def interrupt(verdict: RunVerdict) -> None:
        if verdict.run_id == "2.1":
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        regrade_experiment(experiment, plan_for("a"), on_run=interrupt)
    assert results_lines(experiment) == before
    assert not list(evaluation_dir(experiment).glob(".*.tmp"))


def test_regrade_refuses_a_folder_being_written(experiment: Path) -> None:
    lock = FolderLock(experiment)
    try:
        with pytest.raises(UsageError, match="being written by another fluxloop run"):
            regrade_experiment(experiment, plan_for("alpha"))
    finally:
        lock.release()
    assert not (evaluation_dir(experiment) / RESULTS_FILE).exists()


def test_catching_up_drops_verdicts_of_runs_no_longer_on_disk(experiment: Path) -> None:
    folder = evaluation_dir(experiment)
    folder.mkdir()
    ghost = plan_for("alpha").grade(record("alpha", input_index=7, iteration=0))
    (folder / RESULTS_FILE).write_bytes(verdict_line(ghost))
    aggregator = grade_existing(experiment, plan_for("alpha"))
    assert sorted(v.run_id for v in iter_verdicts(experiment)) == sorted(
        f"{i % 3}.{i // 3}" for i in range(9)
    )
    aggregator.add(plan_for("alpha").grade(record("alpha", input_index=0, iteration=3)))
    assert aggregator.summary().runs == 10
