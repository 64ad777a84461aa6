"""Limiting a run to some of the config's inputs (`--rerun-failing`), and a resume of such
an experiment running the same ones."""

from __future__ import annotations

import pytest

from fluxloop_core.errors import UsageError
from fluxloop_core.results.models import ExperimentSummary, ResultStats
from fluxloop_core.runner.binding import RunInput
from fluxloop_core.runner.plan import ExperimentPlan, RunOptions, selected_inputs

INPUTS = [RunInput("a"), RunInput("b"), RunInput("c")]


def _stored(selected: list[int] | None) -> ExperimentSummary:
    results = ResultStats(total_runs=0, successful=0, failed=0, success_rate=0, avg_duration_ms=0)
    return ExperimentSummary(name="x", date="d", results=results, selected_inputs=selected)


def test_the_selection_is_sorted_once_each() -> None:
    options = RunOptions(select_inputs=lambda inputs: [2, 0, 2])
    assert selected_inputs(INPUTS, options, None) == (0, 2)
    assert selected_inputs(INPUTS, RunOptions(), None) is None


def test_an_empty_selection_is_refused() -> None:
    with pytest.raises(UsageError, match="no input of the config"):
        selected_inputs(INPUTS, RunOptions(select_inputs=lambda inputs: []), None)


def test_a_resume_runs_what_the_experiment_started_with() -> None:
    assert selected_inputs(INPUTS, RunOptions(), _stored([1, 7])) == (1,)
    assert selected_inputs(INPUTS, RunOptions(), _stored(None)) is None


def test_jobs_keep_the_inputs_indices() -> None:
    plan = ExperimentPlan(
        loaded=None,  # type: ignore[arg-type]  # jobs() does not read the config
        target=None,
        inputs=INPUTS,
        iterations=2,
        parallel_runs=1,
        selected=(2,),
    )
    assert plan.planned_runs == 2
    assert [(job.run_id, job.input.text) for job in plan.jobs(skip={"2.0"})] == [("2.1", "c")]
