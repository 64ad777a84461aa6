"""Evaluation figures, fed run by run: pass rates, per-input states, per-check rates, gate.

:class:`Aggregator` keeps counters per input and per check, a fixed latency histogram and a
bounded sample of failing runs, so its memory does not grow with the number of runs. Feed
each run's verdict once (a reader of results.jsonl de-duplicates by run_id first).

Definitions:
- pass rate: passed runs / graded runs, with a 95 % interval clustered by input
  (:func:`fluxloop_core.statistics.clustered_interval`); ungraded runs are counted apart;
- per input: k passed of n graded iterations, a Wilson 95 % interval, and a state —
  ``pass`` (k = n), ``fail`` (k = 0), ``flaky`` (0 < k < n), ``ungraded`` (n = 0);
- an input is *under the bar* when k/n < ``min_input_pass_rate`` (with no such bar: when
  it passed on no iteration), or, with ``fail_on_flaky``, when it failed any iteration;
- the gate fails when the pass rate (the point estimate; the interval is reported beside
  it) is under ``min_pass_rate``, when any input is under the bar (these are JUnit's
  failures), or when no run could be graded at all.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any, Literal

from fluxloop_core.counts import counted
from fluxloop_core.evaluation.checks import CheckOutcome
from fluxloop_core.evaluation.spec import GateSpec
from fluxloop_core.evaluation.verdicts import CleanOutcomes, RunVerdict
from fluxloop_core.results.rows import clip
from fluxloop_core.statistics import Interval, clustered_interval, wilson_interval

InputState = Literal["pass", "fail", "flaky", "ungraded"]

LATENCY_EDGES_MS: tuple[float, ...] = (
    1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 30000, 60000
)  # fmt: skip
"""Upper edges of the latency histogram's bins (the last bin is everything slower)."""

FAILING_RUNS_KEPT = 200
"""How many failing runs (with their reasons) a summary keeps for reports."""

INPUT_TEXT_KEPT = 300
"""Characters of each input's text kept for reports."""

WORST_INPUTS_NAMED = 3


@dataclass(slots=True)
class _InputTally:
    input: str
    passed: int = 0
    graded: int = 0
    ungraded: int = 0
    run_errors: int = 0
    runs: int = 0
    total_ms: float = 0.0


@dataclass(slots=True)
class _CheckTally:
    passed: int = 0
    failed: int = 0
    grading_errors: int = 0


@dataclass(frozen=True)
class InputResult:
    """One input's figures."""

    index: int
    input: str
    passed: int
    graded: int
    ungraded: int
    run_errors: int
    runs: int
    interval: Interval
    state: InputState
    under_bar: bool
    total_ms: float = 0.0

    @property
    def all_errored(self) -> bool:
        """Every iteration of this input raised or timed out (JUnit shows it as an error)."""
        return self.runs > 0 and self.run_errors == self.runs

    def to_json(self) -> dict[str, Any]:
        """The input's entry in evaluation/summary.json."""
        return {
            "index": self.index,
            "input": self.input,
            "passed": self.passed,
            "graded": self.graded,
            "ungraded": self.ungraded,
            "run_errors": self.run_errors,
            "runs": self.runs,
            "pass_rate": self.interval.estimate,
            "interval": [self.interval.low, self.interval.high],
            "state": self.state,
            "under_bar": self.under_bar,
        }


@dataclass(frozen=True)
class CheckRate:
    """One check's pass rate over the runs it was graded on."""

    name: str
    passed: int
    failed: int
    grading_errors: int

    @property
    def rate(self) -> float:
        """Passed / graded (0 when it was never graded)."""
        graded = self.passed + self.failed
        return self.passed / graded if graded else 0.0


@dataclass(frozen=True)
class FailingRun:
    """A run that failed or could not be graded, with why."""

    run_id: str
    input_index: int
    iteration: int
    graded: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict: ``passed`` or not, and one reason per bar that failed."""

    passed: bool
    reasons: tuple[str, ...]
    worst_inputs: tuple[InputResult, ...]

    def message(self) -> str:
        """One paragraph for a failing CI step (empty when the gate holds)."""
        return " ".join(self.reasons)


@dataclass(frozen=True)
class EvaluationSummary:
    """Everything the reports and summary.json show."""

    runs: int
    graded_runs: int
    passed_runs: int
    ungraded_runs: int
    run_errors: int
    grading_errors: int
    pass_rate: Interval
    mean_score: float
    inputs: tuple[InputResult, ...]
    always_passing_share: float
    checks: tuple[CheckRate, ...]
    latency_bins: tuple[int, ...]
    failing_runs: tuple[FailingRun, ...]
    failing_runs_total: int
    gate: GateResult
    gate_spec: GateSpec = field(default_factory=GateSpec)
    input_missing_runs: int = 0
    """Re-graded runs whose input is no longer in the inputs (global checks only)."""
    interrupted: bool = False
    """The experiment stopped before every planned run: these figures are partial."""

    def notes(self) -> list[str]:
        """What a reader must know before trusting the figures (every report shows it)."""
        notes = []
        if self.interrupted:
            notes.append(
                f"Interrupted: partial figures, from the {self.runs} runs that finished "
                "before the experiment was stopped."
            )
        if self.input_missing_runs:
            notes.append(
                f"{self.input_missing_runs} runs' inputs are no longer in the inputs: they "
                "were graded with the global checks only."
            )
        return notes

    def to_json(self) -> dict[str, Any]:
        """evaluation/summary.json (and the ``evaluation`` block of summary.json)."""
        states: dict[str, int] = {"pass": 0, "fail": 0, "flaky": 0, "ungraded": 0}
        for item in self.inputs:
            states[item.state] += 1
        return {
            "runs": self.runs,
            "graded_runs": self.graded_runs,
            "passed_runs": self.passed_runs,
            "ungraded_runs": self.ungraded_runs,
            "run_errors": self.run_errors,
            "grading_errors": self.grading_errors,
            "pass_rate": self.pass_rate.estimate,
            "pass_rate_interval": [self.pass_rate.low, self.pass_rate.high],
            "interval_method": "wilson, design effect from inputs as clusters (95%)",
            "mean_score": self.mean_score,
            "input_missing_runs": self.input_missing_runs,
            "interrupted": self.interrupted,
            "always_passing_share": self.always_passing_share,
            "input_states": states,
            "inputs": [item.to_json() for item in self.inputs],
            "checks": [
                {
                    "name": c.name,
                    "passed": c.passed,
                    "failed": c.failed,
                    "grading_errors": c.grading_errors,
                    "pass_rate": c.rate,
                }
                for c in self.checks
            ],
            "gate": {
                "passed": self.gate.passed,
                "reasons": list(self.gate.reasons),
                "worst_inputs": [item.index for item in self.gate.worst_inputs],
                **self.gate_spec.model_dump(),
            },
        }


def _state(passed: int, graded: int) -> InputState:
    if graded == 0:
        return "ungraded"
    if passed == graded:
        return "pass"
    return "fail" if passed == 0 else "flaky"


def _under_bar(passed: int, graded: int, gate: GateSpec) -> bool:
    if graded == 0:
        return False
    if gate.fail_on_flaky and passed < graded:
        return True
    if gate.min_input_pass_rate is not None:
        return passed / graded < gate.min_input_pass_rate
    return passed == 0


def _describe(item: InputResult) -> str:
    return f"#{item.index} {clip(item.input, 60)!r} {item.passed}/{item.graded}"


def judge_gate(
    gate: GateSpec,
    pass_rate: Interval,
    inputs: tuple[InputResult, ...],
    *,
    runs: int,
    graded_runs: int,
    ungraded_runs: int,
) -> GateResult:
    """Decide the gate: each bar that fails gives one sentence (the figure, the bar, the
    worst inputs). Nothing graded at all fails the gate: an empty verdict is not a pass."""
    reasons: list[str] = []
    worst = tuple(
        sorted(
            (item for item in inputs if item.graded and item.passed < item.graded),
            key=lambda item: (item.passed / item.graded, -item.graded, item.index),
        )[:WORST_INPUTS_NAMED]
    )
    if graded_runs == 0:
        reasons.append(
            f"No run could be graded ({runs} runs, {ungraded_runs} with grading errors)."
        )
    if gate.min_pass_rate is not None and graded_runs and pass_rate.estimate < gate.min_pass_rate:
        worst_text = "; ".join(_describe(item) for item in worst)
        reasons.append(
            f"Pass rate {pass_rate.estimate:.1%} (95% CI {pass_rate.low:.1%}–{pass_rate.high:.1%})"
            f" is under the bar {gate.min_pass_rate:.1%}."
            + (f" Worst inputs: {worst_text}." if worst_text else "")
        )
    under = [item for item in inputs if item.under_bar]
    if under:
        ordered = sorted(under, key=lambda item: (item.passed / item.graded, item.index))
        named = "; ".join(_describe(item) for item in ordered[:WORST_INPUTS_NAMED])
        more = (
            f" and {len(under) - WORST_INPUTS_NAMED} more"
            if len(under) > WORST_INPUTS_NAMED
            else ""
        )
        bars = []
        if gate.min_input_pass_rate is not None:
            bars.append(f"under {gate.min_input_pass_rate:.0%} of their iterations")
        else:
            bars.append("on no iteration")
        if gate.fail_on_flaky:
            bars.append("not on every iteration (fail_on_flaky)")
        reasons.append(
            f"{len(under)} of {counted(len(inputs), 'input')} "
            f"pass {' or '.join(bars)}: {named}{more}."
        )
    return GateResult(passed=not reasons, reasons=tuple(reasons), worst_inputs=worst)


class Aggregator:
    """Figures of an evaluation, updated one verdict at a time (memory flat in runs)."""

    def __init__(self, gate: GateSpec | None = None) -> None:
        self.gate = gate or GateSpec()
        self._inputs: dict[int, _InputTally] = {}
        self._checks: dict[str, _CheckTally] = {}
        self._latency = [0] * (len(LATENCY_EDGES_MS) + 1)
        self._failing: list[FailingRun] = []
        self._failing_total = 0
        self._score_sum = 0.0
        self._missing = 0
        self._grading_errors = 0
        self._graded = 0
        self._passed = 0
        # id(shared outcome tuple) -> [that tuple, runs]; the tuple is kept, so its id stays.
        self._clean: dict[int, list[Any]] = {}

    def add(self, verdict: RunVerdict) -> None:
        """Count one run's verdict."""
        tally = self._inputs.get(verdict.input_index)
        if tally is None:
            tally = self._inputs[verdict.input_index] = _InputTally(verdict.input[:INPUT_TEXT_KEPT])
        tally.runs += 1
        tally.total_ms += verdict.duration_ms
        if verdict.run_error:
            tally.run_errors += 1
        if verdict.graded:
            tally.graded += 1
            self._graded += 1
            if verdict.passed:
                tally.passed += 1
                self._passed += 1
            self._score_sum += verdict.score
        else:
            tally.ungraded += 1
        outcomes = verdict.outcomes
        if isinstance(outcomes, CleanOutcomes):
            # A clean run's outcomes are one tuple shared by every such run (the plan's
            # shape): count it once here, spread over its checks in summary().
            clean = self._clean.get(id(outcomes))
            if clean is None:
                self._clean[id(outcomes)] = [outcomes, 1]
            else:
                clean[1] += 1
        else:
            self._count_outcomes(outcomes, 1)
        self._latency[bisect.bisect_left(LATENCY_EDGES_MS, verdict.duration_ms)] += 1
        if verdict.input_missing:
            self._missing += 1
        if not verdict.passed:
            self._failing_total += 1
            if len(self._failing) < FAILING_RUNS_KEPT:
                self._failing.append(
                    FailingRun(
                        verdict.run_id,
                        verdict.input_index,
                        verdict.iteration,
                        verdict.graded,
                        tuple(verdict.reasons),
                    )
                )

    def _count_outcomes(self, outcomes: tuple[CheckOutcome, ...], times: int) -> None:
        for outcome in outcomes:
            counts = self._checks.get(outcome.name)
            if counts is None:
                counts = self._checks[outcome.name] = _CheckTally()
            if outcome.grading_error:
                counts.grading_errors += times
                self._grading_errors += times
            elif outcome.passed:
                counts.passed += times
            else:
                counts.failed += times

    @property
    def graded_runs(self) -> int:
        """Runs graded so far (for live progress)."""
        return self._graded

    @property
    def pass_rate(self) -> float:
        """The running pass rate (for live progress): passed / graded runs so far."""
        return self._passed / self._graded if self._graded else 0.0

    def summary(self, gate: GateSpec | None = None) -> EvaluationSummary:
        """The figures so far, judged by ``gate`` (default: the aggregator's own)."""
        gate = gate or self.gate
        for outcomes, runs in self._clean.values():
            self._count_outcomes(outcomes, runs)
        self._clean.clear()
        inputs = tuple(
            InputResult(
                index=index,
                input=t.input,
                passed=t.passed,
                graded=t.graded,
                ungraded=t.ungraded,
                run_errors=t.run_errors,
                runs=t.runs,
                interval=wilson_interval(t.passed, t.graded),
                state=_state(t.passed, t.graded),
                under_bar=_under_bar(t.passed, t.graded, gate),
                total_ms=t.total_ms,
            )
            for index, t in sorted(self._inputs.items())
        )
        runs = sum(t.runs for t in self._inputs.values())
        graded = sum(t.graded for t in self._inputs.values())
        passed = sum(t.passed for t in self._inputs.values())
        pass_rate = clustered_interval((t.passed, t.graded) for t in self._inputs.values())
        always = sum(1 for item in inputs if item.state == "pass")
        graded_inputs = sum(1 for item in inputs if item.graded)
        return EvaluationSummary(
            runs=runs,
            graded_runs=graded,
            passed_runs=passed,
            ungraded_runs=runs - graded,
            run_errors=sum(t.run_errors for t in self._inputs.values()),
            grading_errors=self._grading_errors,
            pass_rate=pass_rate,
            mean_score=self._score_sum / graded if graded else 0.0,
            inputs=inputs,
            always_passing_share=always / graded_inputs if graded_inputs else 0.0,
            checks=tuple(
                CheckRate(name, c.passed, c.failed, c.grading_errors)
                for name, c in self._checks.items()
            ),
            latency_bins=tuple(self._latency),
            failing_runs=tuple(self._failing),
            failing_runs_total=self._failing_total,
            gate=judge_gate(
                gate, pass_rate, inputs, runs=runs, graded_runs=graded, ungraded_runs=runs - graded
            ),
            gate_spec=gate,
            input_missing_runs=self._missing,
        )
