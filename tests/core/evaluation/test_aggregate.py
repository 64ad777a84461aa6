"""The aggregator's figures and the gate, on experiments with known answers."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from eval_helpers import record

from fluxloop_core.evaluation.aggregate import FAILING_RUNS_KEPT, Aggregator
from fluxloop_core.evaluation.files import (
    RESULTS_FILE,
    SUMMARY_FILE,
    evaluation_dir,
    iter_verdicts,
    read_summary,
    verdict_line,
    write_summary,
)
from fluxloop_core.evaluation.spec import GateSpec, checks_of, validate_evaluation
from fluxloop_core.evaluation.verdicts import EvaluationPlan, compile_plan
from fluxloop_core.statistics import clustered_interval, wilson_interval


def contains_ok() -> EvaluationPlan:
    return compile_plan(
        validate_evaluation({"checks": [{"check": "contains", "keywords": ["ok"]}]})
    )


def feed(aggregator: Aggregator, passes: list[tuple[int, int]], iterations: int = 10) -> None:
    """Input i passes its first k of n iterations."""
    compiled = contains_ok()
    for index, (k, n) in enumerate(passes):
        for iteration in range(n):
            output = "ok" if iteration < k else "no"
            aggregator.add(
                compiled.grade(
                    record(output, input_index=index, iteration=iteration, text=f"q{index}")
                )
            )


def test_figures_of_a_known_experiment() -> None:
    aggregator = Aggregator()
    feed(aggregator, [(10, 10), (5, 10), (0, 10)])
    summary = aggregator.summary()
    assert (summary.runs, summary.graded_runs, summary.passed_runs) == (30, 30, 15)
    assert summary.pass_rate == clustered_interval([(10, 10), (5, 10), (0, 10)])
    assert summary.pass_rate.estimate == 0.5
    states = [(i.index, i.passed, i.graded, i.state) for i in summary.inputs]
    assert states == [(0, 10, 10, "pass"), (1, 5, 10, "flaky"), (2, 0, 10, "fail")]
    assert summary.inputs[1].interval == wilson_interval(5, 10)
    assert summary.always_passing_share == pytest.approx(1 / 3)
    assert [(c.name, c.passed, c.failed, c.rate) for c in summary.checks] == [
        ("contains", 15, 15, 0.5)
    ]
    assert summary.failing_runs_total == 15
    assert summary.failing_runs[0].reasons == ("contains: output lacks 'ok'",)
    assert sum(summary.latency_bins) == 30 and summary.latency_bins[3] == 30  # 10 ms is in (5, 10]
    assert aggregator.pass_rate == 0.5


def test_gate_min_pass_rate_names_figure_bar_and_worst_inputs() -> None:
    aggregator = Aggregator(GateSpec(min_pass_rate=0.9))
    feed(aggregator, [(10, 10), (9, 10), (5, 10), (1, 10)])
    gate = aggregator.summary().gate
    assert not gate.passed
    assert gate.reasons[0].startswith("Pass rate 62.5% (95% CI ")
    assert (
        "is under the bar 90.0%. Worst inputs: #3 'q3' 1/10; #2 'q2' 5/10; #1 'q1' 9/10."
        in (gate.reasons[0])
    )
    assert [i.index for i in gate.worst_inputs] == [3, 2, 1]
    holds = Aggregator(GateSpec(min_pass_rate=0.6))
    feed(holds, [(10, 10), (9, 10), (5, 10), (1, 10)])
    assert holds.summary().gate.passed and holds.summary().gate.message() == ""


def test_gate_per_input_bar_and_flaky() -> None:
    aggregator = Aggregator(GateSpec(min_input_pass_rate=0.6))
    feed(aggregator, [(10, 10), (6, 10), (5, 10), (2, 10)])
    summary = aggregator.summary()
    assert [i.under_bar for i in summary.inputs] == [False, False, True, True]
    assert summary.gate.reasons == (
        "2 of 4 inputs pass under 60% of their iterations: #3 'q3' 2/10; #2 'q2' 5/10.",
    )
    # The same figures judged with fail_on_flaky: the 6/10 input fails too.
    flaky = aggregator.summary(GateSpec(min_input_pass_rate=0.6, fail_on_flaky=True))
    assert [i.under_bar for i in flaky.inputs] == [False, True, True, True]
    assert "(fail_on_flaky)" in flaky.gate.reasons[0]


def test_default_gate_fails_inputs_that_never_pass() -> None:
    never = Aggregator()
    feed(never, [(10, 10), (0, 10)])
    assert never.summary().gate.reasons == ("1 of 2 inputs pass on no iteration: #1 'q1' 0/10.",)
    sometimes = Aggregator()
    feed(sometimes, [(10, 10), (1, 10)])
    assert sometimes.summary().gate.passed


def test_nothing_graded_fails_the_gate_and_grading_errors_count_apart() -> None:
    compiled = compile_plan(
        validate_evaluation({"checks": [{"check": "equals", "value": "{metadata.a}"}]})
    )
    aggregator = Aggregator(GateSpec(min_pass_rate=0.5))
    for iteration in range(4):
        aggregator.add(compiled.grade(record("x", iteration=iteration)))
    summary = aggregator.summary()
    assert (summary.graded_runs, summary.ungraded_runs, summary.grading_errors) == (0, 4, 4)
    assert summary.inputs[0].state == "ungraded"
    assert summary.checks[0].grading_errors == 4 and summary.checks[0].rate == 0.0
    assert summary.gate.reasons == ("No run could be graded (4 runs, 4 with grading errors).",)
    assert not Aggregator().summary().gate.passed  # an empty experiment is not a pass


def test_agent_errors_per_input() -> None:
    compiled = contains_ok()
    aggregator = Aggregator()
    for iteration in range(3):
        aggregator.add(
            compiled.grade(record(None, status="error", error=("E", "m"), iteration=iteration))
        )
    aggregator.add(compiled.grade(record("ok", input_index=1)))
    inputs = aggregator.summary().inputs
    assert inputs[0].all_errored and inputs[0].run_errors == 3
    assert not inputs[1].all_errored


def test_memory_is_flat_in_runs() -> None:
    compiled = contains_ok()
    verdicts = [compiled.grade(record("no", input_index=i % 10, iteration=i)) for i in range(50)]

    def peak(runs: int) -> int:
        aggregator = Aggregator()
        tracemalloc.start()
        for number in range(runs):
            aggregator.add(verdicts[number % 50])
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(2 * FAILING_RUNS_KEPT), peak(20_000)
    assert large < small * 1.5


def test_results_file_round_trip_and_summary(tmp_path: Path) -> None:
    compiled = contains_ok()
    runs = [
        record("ok"),
        record("no", iteration=1),
        record("no", iteration=2, text="bad \udcff surrogate"),
    ]
    folder = evaluation_dir(tmp_path)
    folder.mkdir()
    lines = b"".join(verdict_line(compiled.grade(r)) for r in runs)
    # A repeated line, a malformed one and a torn last line are skipped.
    (folder / RESULTS_FILE).write_bytes(
        lines + lines.splitlines(True)[0] + b"{oops\n" + b'{"run_id"'
    )
    verdicts = list(iter_verdicts(tmp_path))
    assert [v.run_id for v in verdicts] == ["0.0", "0.1", "0.2"]
    assert "surrogate" in verdicts[2].input
    aggregator = Aggregator()
    for verdict in verdicts:
        aggregator.add(verdict)
    path = write_summary(tmp_path, aggregator.summary())
    data = json.loads(path.read_text())
    assert data["passed_runs"] == 1 and data["inputs"][0]["state"] == "flaky"
    assert data["gate"]["passed"] is True and data["gate"]["min_pass_rate"] is None
    assert list(iter_verdicts(tmp_path / "nowhere")) == []


def test_per_input_checks_feed_their_own_rate() -> None:
    compiled = compile_plan(None, {0: checks_of([{"check": "contains", "keywords": ["x"]}])})
    aggregator = Aggregator()
    aggregator.add(compiled.grade(record("x")))
    aggregator.add(compiled.grade(record("y", iteration=1)))
    aggregator.add(compiled.grade(record("y", input_index=1)))
    assert [(c.name, c.passed, c.failed) for c in aggregator.summary().checks] == [
        ("input.contains", 1, 1)
    ]


@pytest.mark.parametrize(
    "run",
    [
        record("ok"),
        record("no"),
        record('say "hi"\n\t\\ é 😀 \x01', text='in "quotes" \x7f'),
        record(None, status="error", error=("E", 'm "q"')),
        record("ok", duration_ms=12.345678901),
    ],
)
def test_verdict_line_is_the_json_of_the_verdict(run: Any) -> None:
    plan = compile_plan(
        validate_evaluation(
            {
                "checks": [
                    {"check": "contains", "keywords": ["ok"]},
                    {"check": "equals", "value": "x"},
                ]
            }
        )
    )
    verdict = plan.grade(run)
    line = verdict_line(verdict)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert json.loads(line) == verdict.to_json()


def test_memory_is_flat_when_passing_runs_have_their_own_outcomes() -> None:
    # similarity passes with a score under 1: each run's outcomes are its own tuple.
    plan = compile_plan(
        validate_evaluation(
            {"checks": [{"check": "similarity", "expected": "abcd", "min_score": 0.5}]}
        )
    )
    runs = [record("abce", iteration=i) for i in range(50)]
    assert plan.grade(runs[0]).passed

    def peak(count: int) -> int:
        aggregator = Aggregator()
        tracemalloc.start()
        for number in range(count):
            aggregator.add(plan.grade(runs[number % 50]))  # a fresh verdict each time
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    assert peak(20_000) < peak(400) + 100_000  # a tuple kept per run would be megabytes


def test_clean_runs_share_one_outcome_tuple_and_count_per_check() -> None:
    plan = contains_ok()
    first, second = plan.grade(record("ok")), plan.grade(record("ok", iteration=1))
    assert first.outcomes is second.outcomes
    aggregator = Aggregator()
    aggregator.add(first)
    aggregator.add(second)
    aggregator.add(plan.grade(record("no", iteration=2)))
    assert [(c.name, c.passed, c.failed) for c in aggregator.summary().checks] == [
        ("contains", 2, 1)
    ]
    # summary() can be asked again (live progress) without counting twice.
    assert [(c.passed, c.failed) for c in aggregator.summary().checks] == [(2, 1)]


def test_read_summary(tmp_path: Path) -> None:
    assert read_summary(tmp_path) is None
    aggregator = Aggregator()
    aggregator.add(contains_ok().grade(record("ok")))
    write_summary(tmp_path, aggregator.summary())
    data = read_summary(tmp_path)
    assert data is not None and data["pass_rate"] == 1.0 and data["gate"]["passed"]
    for broken in (b"{", b"[]", b'{"gate": 1}', b"\xff"):
        (evaluation_dir(tmp_path) / SUMMARY_FILE).write_bytes(broken)
        assert read_summary(tmp_path) is None
