"""The evaluation as front ends read it: the summary as dataclasses, runs with verdicts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from eval_helpers import record

from fluxloop_core.errors import UsageError
from fluxloop_core.evaluation.files import RESULTS_FILE, SUMMARY_FILE, evaluation_dir
from fluxloop_core.evaluation.regrade import regrade_experiment
from fluxloop_core.evaluation.spec import GateSpec, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.evaluation.view import (
    describe_outcomes,
    first_reason,
    gate_bars,
    interval_text,
    is_evaluated,
    iter_runs_with_verdicts,
    load_evaluation_view,
    run_outcome,
    sort_inputs,
    summary_figures,
)
from fluxloop_core.results.encoding import record_line
from fluxloop_core.results.models import TRACES_FILE
from fluxloop_core.statistics import Interval

# An llm_judge evaluator without a judge plugged in: every grade is a grading error.
PLAN = compile_plan(
    validate_evaluation(
        {
            "checks": [{"check": "contains", "keywords": ["USD"]}],
            "evaluators": [{"name": "tone", "type": "llm_judge", "prompt_template": "polite?"}],
        }
    )
)


def write_runs(folder: Path, outputs: list[tuple[int, int, str | None]]) -> None:
    """traces.jsonl with runs (input, iteration, output; None: the agent raised)."""
    runs = [
        record(
            output,
            input_index=index,
            iteration=iteration,
            text=f"question {index}",
            status="success" if output is not None else "error",
            error=None if output is not None else ("ValueError", "boom"),
        )
        for index, iteration, output in outputs
    ]
    (folder / TRACES_FILE).write_bytes(b"".join(record_line(run)[1] for run in runs))


@pytest.fixture
def experiment(tmp_path: Path) -> Path:
    # Input 0 passes twice, input 1 passes once (flaky), input 2 never passes (one error).
    write_runs(
        tmp_path,
        [
            (0, 0, "42 USD"),
            (0, 1, "43 USD"),
            (1, 0, "1 USD"),
            (1, 1, "nothing"),
            (2, 0, None),
            (2, 1, "no money"),
        ],
    )
    plan = compile_plan(
        validate_evaluation({"checks": [{"check": "contains", "keywords": ["USD"]}]})
    )
    regrade_experiment(tmp_path, plan, GateSpec(min_pass_rate=0.9))
    return tmp_path


def test_the_view_holds_the_summary_figures(experiment: Path) -> None:
    view = load_evaluation_view(experiment)
    assert view is not None
    assert (view.runs, view.graded_runs, view.passed_runs) == (6, 6, 3)
    assert view.pass_rate.estimate == 0.5 and view.run_errors == 1
    assert not view.gate_passed and "under the bar 90.0%" in view.gate_reasons[0]
    assert view.gate == GateSpec(min_pass_rate=0.9)
    assert [(i.index, i.passed, i.graded, i.state) for i in view.inputs] == [
        (0, 2, 2, "pass"),
        (1, 1, 2, "flaky"),
        (2, 0, 2, "fail"),
    ]
    # Wilson 95% for 1/2, by hand: centre (0.5 + 1.9208/2) / (1 + 3.8415/2) = 0.5,
    # half-width 1.96·sqrt(0.125 + 0.2401)/2.9207 = 0.4055 → [0.0945, 0.9055].
    flaky = view.inputs[1].interval
    assert flaky.low == pytest.approx(0.0945, abs=1e-4)
    assert flaky.high == pytest.approx(0.9055, abs=1e-4)
    checks = {c.name: (c.passed, c.failed) for c in view.checks}
    assert checks["contains"] == (3, 2) and checks["success"] == (0, 1)
    assert view.grading_errors == 0 and view.grading_error_runs == ()


def test_grading_errors_are_listed_up_to_the_kept_number(tmp_path: Path) -> None:
    write_runs(tmp_path, [(i, 0, "5 USD") for i in range(5)])
    regrade_experiment(tmp_path, PLAN)  # 5 grading errors
    view = load_evaluation_view(tmp_path, grading_errors_kept=3)
    assert view is not None and view.grading_errors == 5 and view.ungraded_runs == 5
    assert [run.run_id for run in view.grading_error_runs] == ["0.0", "1.0", "2.0"]
    assert all(r.reasons[0].startswith("tone:") for r in view.grading_error_runs)


def test_never_evaluated_is_none_and_a_foreign_summary_names_the_file(tmp_path: Path) -> None:
    assert load_evaluation_view(tmp_path) is None
    path = evaluation_dir(tmp_path) / SUMMARY_FILE
    path.parent.mkdir()
    for text in ('{"gate": {"passed": true}}', "[1, 2]", "{" * 5000, '{"runs": "x"}'):
        path.write_text(text)
        with pytest.raises(UsageError) as caught:
            load_evaluation_view(tmp_path)
        assert str(caught.value.file) == str(path)
        assert "validation error" not in caught.value.render()


def test_each_run_comes_with_its_verdict_and_its_outcome(experiment: Path) -> None:
    assert is_evaluated(experiment)
    pairs = list(iter_runs_with_verdicts(experiment))
    assert [r.run_id for r, _ in pairs] == ["0.0", "0.1", "1.0", "1.1", "2.0", "2.1"]
    outcomes = [run_outcome(r, v) for r, v in pairs]
    assert outcomes == ["passed", "passed", "passed", "failed", "agent error", "failed"]
    assert first_reason(pairs[3][1]).startswith("contains: ")
    assert first_reason(pairs[0][1]) == "" and first_reason(None) == ""
    failing = [r.run_id for r, _ in iter_runs_with_verdicts(experiment, failed_only=True)]
    assert failing == ["1.1", "2.0", "2.1"]
    one = iter_runs_with_verdicts(experiment, failed_only=True, input_index=1)
    assert [(r.run_id, run_outcome(r, v)) for r, v in one] == [("1.1", "failed")]


def test_verdicts_out_of_order_or_missing_still_pair(experiment: Path) -> None:
    results = evaluation_dir(experiment) / RESULTS_FILE
    lines = results.read_bytes().splitlines(keepends=True)
    # Reversed, one line lost and one torn: each run still finds its own verdict.
    results.write_bytes(b"".join(reversed(lines[1:])) + b'{"run_id": "0.')
    pairs = {r.run_id: v for r, v in iter_runs_with_verdicts(experiment)}
    assert pairs["0.0"] is None
    assert all(
        v is not None and v.run_id == run_id for run_id, v in pairs.items() if run_id != "0.0"
    )
    assert [run_outcome(record(), None)] == [""]


def test_runs_of_an_experiment_never_evaluated_have_no_verdict(tmp_path: Path) -> None:
    write_runs(tmp_path, [(0, 0, "x"), (1, 0, None)])
    assert not is_evaluated(tmp_path)
    pairs = list(iter_runs_with_verdicts(tmp_path))
    assert [v for _, v in pairs] == [None, None]
    assert [r.run_id for r, _ in iter_runs_with_verdicts(tmp_path, failed_only=True)] == ["1.0"]


def test_a_grading_error_is_its_own_outcome(tmp_path: Path) -> None:
    write_runs(tmp_path, [(0, 0, "5 USD"), (1, 0, "nothing")])
    regrade_experiment(tmp_path, PLAN)
    pairs = list(iter_runs_with_verdicts(tmp_path))
    # A failing check decides the run, even beside a check that could not be graded.
    assert [run_outcome(r, v) for r, v in pairs] == ["grading error", "failed"]
    verdict = pairs[0][1]
    assert verdict is not None
    rows = describe_outcomes(verdict)
    assert rows[0] == ("contains", "pass", "1.00", "")
    assert rows[1][:3] == ("tone", "error", "-") and rows[1][3]


def test_inputs_sort_by_state_rate_and_text(experiment: Path) -> None:
    view = load_evaluation_view(experiment)
    assert view is not None
    assert [i.index for i in sort_inputs(view.inputs, "state")] == [2, 1, 0]
    assert [i.index for i in sort_inputs(view.inputs, "pass rate")] == [2, 1, 0]
    assert [i.index for i in sort_inputs(view.inputs, "input")] == [0, 1, 2]


def test_words_for_the_figures(experiment: Path) -> None:
    assert interval_text(Interval(0.5, 0.25, 0.75)) == "50.0% (95% CI 25.0%–75.0%)"
    assert gate_bars(GateSpec()) == "no bar (an input that never passes fails)"
    bars = GateSpec(min_pass_rate=0.9, min_input_pass_rate=0.6, fail_on_flaky=True)
    assert gate_bars(bars) == "min pass rate 90%, min input pass rate 60%, fail on flaky"
    view = load_evaluation_view(experiment)
    assert view is not None
    figures = summary_figures(view)
    assert figures.startswith("pass 50.0% (95% CI ")
    assert "3/6 graded runs passed  1 agent error  grading errors 0" in figures
    assert json.loads((experiment / "evaluation" / SUMMARY_FILE).read_text())["runs"] == 6
