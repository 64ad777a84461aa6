"""An experiment's evaluation as front ends show it, read from its folder.

- :func:`load_evaluation_view`: evaluation/summary.json (validated: the folder may hold
  anything) as dataclasses, plus the first runs with grading errors from results.jsonl
  (:func:`find_grading_errors`);
- :func:`iter_runs_with_verdicts`: each run of traces.jsonl with its verdict, streamed;
- :func:`run_outcome`: what a run's verdict is called (passed, failed, grading error,
  agent error), the one rule every table colours by;
- :func:`sort_inputs`: the per-input table's orders.

Nothing here grows with the number of runs beyond what it is asked to keep: the view keeps
at most ``GRADING_ERRORS_KEPT`` runs, and the runs stream pairs each trace line with the
results line the runner wrote beside it (the two files are written in the same order).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fluxloop_core.counts import counted
from fluxloop_core.errors import UsageError
from fluxloop_core.evaluation.aggregate import CheckRate, FailingRun, InputResult
from fluxloop_core.evaluation.files import (
    RESULTS_FILE,
    SUMMARY_FILE,
    evaluation_dir,
    iter_verdicts,
)
from fluxloop_core.evaluation.spec import GateSpec
from fluxloop_core.evaluation.verdicts import RunVerdict
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.reader import iter_traces
from fluxloop_core.statistics import Interval

GRADING_ERRORS_KEPT = 200
"""How many runs with grading errors the view lists (the count covers them all)."""

RunOutcome = Literal["passed", "failed", "grading error", "agent error", ""]
"""A run's verdict in words; empty when the run was not graded at all (not evaluated)."""

InputOrder = Literal["state", "pass rate", "input"]
INPUT_ORDERS: tuple[InputOrder, ...] = ("state", "pass rate", "input")

_STATE_RANK = {"fail": 0, "flaky": 1, "ungraded": 2, "pass": 3}


class _Model(BaseModel):
    # Extra keys are allowed: a newer FluxLoop may write more than this one reads.
    model_config = ConfigDict(extra="ignore")


class _InputEntry(_Model):
    index: int
    input: str = Field(max_length=100_000)
    passed: int = Field(ge=0)
    graded: int = Field(ge=0)
    ungraded: int = Field(default=0, ge=0)
    run_errors: int = Field(default=0, ge=0)
    runs: int = Field(default=0, ge=0)
    pass_rate: float
    interval: tuple[float, float]
    state: Literal["pass", "fail", "flaky", "ungraded"]
    under_bar: bool = False


class _CheckEntry(_Model):
    name: str
    passed: int = Field(ge=0)
    failed: int = Field(ge=0)
    grading_errors: int = Field(default=0, ge=0)


class _GateEntry(GateSpec):
    model_config = ConfigDict(extra="ignore")

    passed: bool
    reasons: list[str] = Field(default_factory=list)


class _SummaryFile(_Model):
    runs: int = Field(ge=0)
    graded_runs: int = Field(ge=0)
    passed_runs: int = Field(ge=0)
    ungraded_runs: int = Field(default=0, ge=0)
    run_errors: int = Field(default=0, ge=0)
    grading_errors: int = Field(default=0, ge=0)
    pass_rate: float
    pass_rate_interval: tuple[float, float]
    always_passing_share: float = 0.0
    inputs: list[_InputEntry] = Field(default_factory=list)
    checks: list[_CheckEntry] = Field(default_factory=list)
    gate: _GateEntry


@dataclass(frozen=True)
class EvaluationView:
    """An evaluated experiment's figures, as evaluation/summary.json holds them."""

    runs: int
    graded_runs: int
    passed_runs: int
    ungraded_runs: int
    run_errors: int
    grading_errors: int
    pass_rate: Interval
    always_passing_share: float
    inputs: tuple[InputResult, ...]
    checks: tuple[CheckRate, ...]
    gate_passed: bool
    gate_reasons: tuple[str, ...]
    gate: GateSpec
    grading_error_runs: tuple[FailingRun, ...]
    """The first GRADING_ERRORS_KEPT runs with a grading error, in file order."""


def interval_text(interval: Interval) -> str:
    """``83.3% (95% CI 43.6%–97.0%)``."""
    return f"{interval.estimate:.1%} (95% CI {interval.low:.1%}–{interval.high:.1%})"


def gate_bars(gate: GateSpec) -> str:
    """The gate's bars in words: ``min pass rate 90%, min input pass rate 60%, fail on
    flaky``; ``no bar (an input that never passes fails)`` when none is set."""
    bars = []
    if gate.min_pass_rate is not None:
        bars.append(f"min pass rate {gate.min_pass_rate:.0%}")
    if gate.min_input_pass_rate is not None:
        bars.append(f"min input pass rate {gate.min_input_pass_rate:.0%}")
    if gate.fail_on_flaky:
        bars.append("fail on flaky")
    return ", ".join(bars) or "no bar (an input that never passes fails)"


def _input_result(entry: _InputEntry) -> InputResult:
    return InputResult(
        index=entry.index,
        input=entry.input,
        passed=entry.passed,
        graded=entry.graded,
        ungraded=entry.ungraded,
        run_errors=entry.run_errors,
        runs=entry.runs,
        interval=Interval(entry.pass_rate, *entry.interval),
        state=entry.state,
        under_bar=entry.under_bar,
    )


def find_grading_errors(
    experiment_dir: Path, kept: int = GRADING_ERRORS_KEPT
) -> tuple[FailingRun, ...]:
    """The first ``kept`` runs of results.jsonl with a grading error (a scan of the whole
    file when it holds fewer: call it off a UI thread)."""
    found: list[FailingRun] = []
    if kept <= 0:
        return ()
    for verdict in iter_verdicts(experiment_dir):
        if verdict.grading_errors:
            reasons = tuple(f"{o.name}: {o.reason}" for o in verdict.outcomes if o.grading_error)
            found.append(
                FailingRun(
                    verdict.run_id, verdict.input_index, verdict.iteration, verdict.graded, reasons
                )
            )
            if len(found) >= kept:
                break
    return tuple(found)


def _first_problem(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        return f"{where}: {first['msg']}" if where else first["msg"]
    return str(error).splitlines()[0] if str(error) else type(error).__name__


def load_evaluation_view(
    experiment_dir: Path, *, grading_errors_kept: int = GRADING_ERRORS_KEPT
) -> EvaluationView | None:
    """The evaluation of ``experiment_dir``; None when it was never evaluated (no
    evaluation/summary.json). A file that is not FluxLoop's summary is a UsageError naming
    it. Reading results.jsonl for the grading errors stops at the ones kept, and is
    skipped when the summary counts none."""
    path = evaluation_dir(experiment_dir) / SUMMARY_FILE
    if not path.is_file():
        return None
    try:
        data = _SummaryFile.model_validate_json(path.read_bytes())
    except (OSError, ValidationError, RecursionError) as error:
        raise UsageError(
            f"unreadable evaluation summary: {_first_problem(error)}",
            file=path,
            hint="Grade the experiment again: fluxloop evaluate experiment DIR.",
        ) from None
    gate = GateSpec.model_validate(
        data.gate.model_dump(include={"min_pass_rate", "min_input_pass_rate", "fail_on_flaky"})
    )
    return EvaluationView(
        runs=data.runs,
        graded_runs=data.graded_runs,
        passed_runs=data.passed_runs,
        ungraded_runs=data.ungraded_runs,
        run_errors=data.run_errors,
        grading_errors=data.grading_errors,
        pass_rate=Interval(data.pass_rate, *data.pass_rate_interval),
        always_passing_share=data.always_passing_share,
        inputs=tuple(_input_result(entry) for entry in data.inputs),
        checks=tuple(CheckRate(c.name, c.passed, c.failed, c.grading_errors) for c in data.checks),
        gate_passed=data.gate.passed,
        gate_reasons=tuple(data.gate.reasons),
        gate=gate,
        grading_error_runs=find_grading_errors(
            experiment_dir, grading_errors_kept if data.grading_errors else 0
        ),
    )


def sort_inputs(inputs: tuple[InputResult, ...], order: InputOrder) -> list[InputResult]:
    """``inputs`` in ``order``: by state (fail, flaky, ungraded, pass; the lowest pass rate
    first within one), by pass rate (lowest first), or by input text; ties by index."""
    if order == "state":
        return sorted(inputs, key=lambda i: (_STATE_RANK[i.state], i.interval.estimate, i.index))
    if order == "pass rate":
        return sorted(inputs, key=lambda i: (i.interval.estimate, _STATE_RANK[i.state], i.index))
    return sorted(inputs, key=lambda i: (i.input.casefold(), i.index))


def is_evaluated(experiment_dir: Path) -> bool:
    """Whether the experiment's runs were graded (it has evaluation/results.jsonl)."""
    return (evaluation_dir(experiment_dir) / RESULTS_FILE).is_file()


def run_outcome(record: TraceRecord, verdict: RunVerdict | None) -> RunOutcome:
    """What ``record``'s verdict is called: ``passed`` (every check that applies passed,
    an expected error included), ``agent error`` (it raised or timed out), ``grading
    error`` (a check could not be graded), ``failed`` (a check failed); empty when the run
    has no verdict."""
    if verdict is None:
        return ""
    if verdict.passed:
        return "passed"
    if record.status != "success":
        return "agent error"
    return "failed" if verdict.graded else "grading error"


def first_reason(verdict: RunVerdict | None) -> str:
    """The first failing (or ungraded) check of the run and why: ``check: reason``."""
    reasons = verdict.reasons if verdict is not None else []
    return reasons[0] if reasons else ""


def iter_runs_with_verdicts(
    experiment_dir: Path, *, failed_only: bool = False, input_index: int | None = None
) -> Iterator[tuple[TraceRecord, RunVerdict | None]]:
    """Each run of traces.jsonl (as :func:`iter_traces` reads it) with its verdict from
    results.jsonl, None when it has none. ``failed_only``: the runs that did not pass —
    raised, timed out, failed a check or could not be graded; ``input_index``: only the
    runs of that input.

    Both files are written in the same order, so each verdict is usually the next line;
    verdicts met ahead of their run wait in a dictionary until it comes."""
    verdicts = iter_verdicts(experiment_dir)
    waiting: dict[str, RunVerdict] = {}
    exhausted = False
    for record in iter_traces(experiment_dir):
        verdict = waiting.pop(record.run_id, None)
        while verdict is None and not exhausted:
            following = next(verdicts, None)
            if following is None:
                exhausted = True
            elif following.run_id == record.run_id:
                verdict = following
            else:
                waiting[following.run_id] = following
        if input_index is not None and record.input_index != input_index:
            continue
        if failed_only and record.status == "success" and (verdict is None or verdict.passed):
            continue
        yield record, verdict


def describe_outcomes(verdict: RunVerdict) -> list[tuple[str, str, str, str]]:
    """Each check's result on the run as (name, ``pass``/``fail``/``error``, score,
    reason), in the order they were graded."""
    rows = []
    for outcome in verdict.outcomes:
        result = "error" if outcome.grading_error else "pass" if outcome.passed else "fail"
        score = "-" if outcome.grading_error else f"{outcome.score:.2f}"
        rows.append((outcome.name, result, score, outcome.reason or ""))
    return rows


def summary_figures(view: EvaluationView) -> str:
    """The headline: ``pass 83.3% (95% CI …)  5/6 graded runs passed  1 ungraded``."""
    parts = [
        f"pass {interval_text(view.pass_rate)}",
        f"{view.passed_runs}/{view.graded_runs} graded runs passed",
    ]
    if view.ungraded_runs:
        parts.append(f"{view.ungraded_runs} ungraded")
    if view.run_errors:
        parts.append(f"{counted(view.run_errors, 'agent error')}")
    parts.append(f"grading errors {view.grading_errors}")
    return "  ".join(parts)
