"""One run's verdict: every check that applies to it, its weighted score, pass or fail.

A run passes when every check that applies to it passes. Which checks apply:
- the ``evaluation.checks`` and the rules of every enabled evaluator, on every run;
- an input's own ``checks``, on the runs of that input;
- on a run whose agent raised or timed out, only the checks that look at such runs
  (``success``, ``latency_under``, ``callback_called``, and checks reading ``on: error``).
  Unless some check reads ``on: error`` (the experiment expects errors), such a run fails
  with the implicit reason of the ``success`` check.

A check that cannot be graded makes the run *ungraded* (unless another check failed it):
ungraded runs are counted apart and left out of pass rates, never counted as fails.

The weighted score follows upstream 0.2.x: each group (the ``checks`` list, then each
evaluator) scores the mean of its outcomes' scores; the run's score is the groups' mean
weighted by ``weight`` (``checks`` and per-input checks weigh 1).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxloop_core.config.loader import format_key_path
from fluxloop_core.evaluation import spec as s
from fluxloop_core.evaluation.checks import Check, CheckOutcome, SuccessCheck
from fluxloop_core.evaluation.reading import RunView, TemplateError
from fluxloop_core.evaluation.turns import compile_scoped, scoped
from fluxloop_core.results.models import TraceRecord

CHECKS_GROUP = "checks"
INPUT_PREFIX = "input."
"""Per-input checks are named ``input.<type>``: their rates add up over the inputs."""

JudgeFactory = Callable[[s.LLMJudgeEvaluator, str], Check]
"""Builds the check of an ``llm_judge`` evaluator (spec, config key). The judge grades a run
into a CheckOutcome; a judge that fails to answer returns ``Check.error(...)``."""


class UnavailableJudge(Check):
    """The ``llm_judge`` stand-in when no judge is plugged in: every run is a grading error
    naming the evaluator, so nothing is silently scored 0 or skipped."""

    __slots__ = ()

    def grade(self, run: RunView) -> CheckOutcome:
        return self.error(f"{self.name}: the llm_judge evaluator is not available here")


def unavailable_judge(spec: s.LLMJudgeEvaluator, key: str) -> Check:
    """The default :data:`JudgeFactory`."""
    return UnavailableJudge(spec.name, applies_to_errors=False)


@dataclass(slots=True)
class RunVerdict:
    """One run's evaluation (a line of evaluation/results.jsonl). Not frozen only because
    a frozen dataclass is several times slower to build; nothing changes one once made."""

    run_id: str
    input_index: int
    iteration: int
    input: str
    passed: bool
    graded: bool
    score: float
    run_error: bool
    duration_ms: float
    outcomes: tuple[CheckOutcome, ...]
    input_missing: bool = False
    """Re-graded after its input left the inputs: only the global checks applied."""

    @property
    def grading_errors(self) -> int:
        """How many checks could not be graded on this run."""
        return sum(1 for outcome in self.outcomes if outcome.grading_error)

    @property
    def reasons(self) -> list[str]:
        """Why the run did not pass: ``check: reason`` for each failing or ungraded check."""
        return [f"{o.name}: {o.reason}" for o in self.outcomes if not o.passed]

    def to_json(self) -> dict[str, Any]:
        """The results.jsonl line (as a dict)."""
        return {
            "run_id": self.run_id,
            "input_index": self.input_index,
            "iteration": self.iteration,
            "input": self.input,
            "passed": self.passed,
            "graded": self.graded,
            "score": self.score,
            "run_error": self.run_error,
            "duration_ms": self.duration_ms,
            "grading_errors": self.grading_errors,
            "checks": [outcome.to_json() for outcome in self.outcomes],
            **({"input_missing": True} if self.input_missing else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RunVerdict:
        """Read a results.jsonl line back (KeyError/TypeError/ValueError when malformed)."""
        outcomes = tuple(
            CheckOutcome(
                name=str(item["name"]),
                passed=bool(item["passed"]),
                score=float(item["score"]),
                reason=item.get("reason"),
                grading_error=bool(item.get("grading_error", False)),
            )
            for item in data["checks"]
        )
        return cls(
            run_id=str(data["run_id"]),
            input_index=int(data["input_index"]),
            iteration=int(data["iteration"]),
            input=str(data.get("input", "")),
            passed=bool(data["passed"]),
            graded=bool(data["graded"]),
            score=float(data["score"]),
            run_error=bool(data["run_error"]),
            duration_ms=float(data["duration_ms"]),
            outcomes=outcomes,
            input_missing=bool(data.get("input_missing", False)),
        )


@dataclass(frozen=True)
class _Group:
    name: str
    weight: float
    checks: tuple[Check, ...]


_IMPLICIT_SUCCESS = SuccessCheck("success", applies_to_errors=True)


def _unique(checks: list[Check], taken: set[str]) -> None:
    # Two `contains` checks must stay apart in per-check rates: the second is contains#2.
    for check in checks:
        name, number = check.name, 2
        while check.name in taken:
            check.rename(f"{name}#{number}")
            number += 1
        taken.add(check.name)


class EvaluationPlan:
    """The compiled evaluation: call :meth:`grade` on each run as it finishes."""

    def __init__(
        self,
        groups: Sequence[_Group],
        per_input: Mapping[int, Sequence[Check]],
        *,
        expects_errors: bool,
    ) -> None:
        self.groups = tuple(groups)
        self.inputs: tuple[tuple[str, Mapping[str, Any]], ...] = ()
        """Today's inputs (text, metadata), for matching an older experiment's runs to
        their own checks (set by whoever compiled the plan from them)."""
        self.per_input = {index: tuple(checks) for index, checks in per_input.items()}
        self.expects_errors = expects_errors
        # A success check in any scope already reports an errored run.
        self._has_success = any(
            isinstance(getattr(check, "inner", check), SuccessCheck)
            for group in self.groups
            for check in group.checks
        )
        self._weights = tuple(group.weight for group in self.groups)
        self._shapes: dict[int, _Shape] = {}
        self._common = self._shape(())
        self.grading_threads = max((check.concurrency() for check in self._every()), default=0)
        """Worker threads worth grading runs in (0: grade inline; an llm_judge waits on
        its endpoint, so runs are graded that many at a time)."""

    def _every(self) -> list[Check]:
        own = [check for checks in self.per_input.values() for check in checks]
        return [*(check for group in self.groups for check in group.checks), *own]

    def close(self) -> None:
        """Let go of the judges' endpoints (when grading is over)."""
        for check in self._every():
            check.close()

    def _shape(self, own: tuple[Check, ...]) -> _Shape:
        # Every check of a run in order, each with its group's position; per-input checks
        # join the `checks` group.
        checks: list[Check] = []
        groups: list[int] = []
        for position, group in enumerate(self.groups):
            members = group.checks + own if group.name == CHECKS_GROUP else group.checks
            checks.extend(members)
            groups.extend([position] * len(members))
        passes = CleanOutcomes(check.passing for check in checks)
        return _Shape(tuple(checks), tuple(groups), passes)

    def _own_shape(self, input_index: int, own: tuple[Check, ...]) -> _Shape:
        shape = self._shapes.get(input_index)
        if shape is None:
            shape = self._shapes[input_index] = self._shape(own)
        return shape

    @property
    def check_names(self) -> list[str]:
        """Every check's name, in config order (per-input checks last)."""
        names = [check.name for group in self.groups for check in group.checks]
        for checks in self.per_input.values():
            names.extend(check.name for check in checks if check.name not in names)
        return names

    def grade(self, record: TraceRecord, own_index: int | None = None) -> RunVerdict:
        """Run every applicable check on ``record`` and decide its verdict. ``own_index``:
        the input whose own checks apply (default: the run's; a re-grade passes the input
        the run matches now, see matching.py)."""
        view = RunView(record)
        index = record.input_index if own_index is None else own_index
        own = self.per_input.get(index)
        shape = self._common if own is None else self._own_shape(index, own)
        errored = record.status != "success"
        if errored:
            return self._grade_fully(view, shape, [], errored)
        # The common case, kept lean (it runs on every run of an experiment): every check
        # returns its prebuilt pass. The first other outcome hands over to the full path,
        # which carries on from the next check (no check runs twice: a judge costs a call).
        start = 0
        try:
            for start, check in enumerate(shape.checks):
                outcome = check.grade(view)  # not check(view): one call level less per check
                if outcome is not check.passing:
                    done = [*shape.passes[:start], outcome]
                    return self._grade_fully(view, shape, done, errored)
        except TemplateError:
            # Filling a template is pure and comes first, so the full path can run this
            # check again through Check.__call__, which turns the error into its outcome.
            return self._grade_fully(view, shape, list(shape.passes[:start]), errored)
        return RunVerdict(
            record.run_id,
            record.input_index,
            record.iteration,
            record.input,
            True,
            True,
            1.0,
            False,
            record.duration_ms,
            shape.passes,
        )

    def _grade_fully(
        self, view: RunView, shape: _Shape, done: list[CheckOutcome], errored: bool
    ) -> RunVerdict:
        # ``done``: the outcomes of the first checks, already run on the fast path.
        record = view.record
        outcomes = done
        groups: list[int] = list(shape.groups[: len(done)])
        if errored and not self.expects_errors and not self._has_success:
            outcomes.append(_IMPLICIT_SUCCESS(view))
            groups.append(-1)
        for check, group in zip(shape.checks[len(done) :], shape.groups[len(done) :], strict=True):
            if errored and not check.applies_to_errors:
                continue
            outcomes.append(check(view))
            groups.append(group)
        totals = [0.0] * len(self.groups)
        counts = [0] * len(self.groups)
        failed = ungraded = False
        for outcome, group in zip(outcomes, groups, strict=True):
            if outcome.grading_error:
                ungraded = True
                continue
            if not outcome.passed:
                failed = True
            if group >= 0:
                totals[group] += outcome.score
                counts[group] += 1
        weighted = weights = 0.0
        for total, count, weight in zip(totals, counts, self._weights, strict=True):
            if count and weight > 0:
                weighted += weight * total / count
                weights += weight
        ungraded = ungraded and not failed
        passed = not failed and not ungraded
        return RunVerdict(
            record.run_id,
            record.input_index,
            record.iteration,
            record.input,
            passed,
            not ungraded,
            weighted / weights if weights else (1.0 if passed else 0.0),
            errored,
            record.duration_ms,
            tuple(outcomes),
        )


class CleanOutcomes(tuple[CheckOutcome, ...]):
    """The outcomes of a run on which every check passed plainly: one tuple per plan shape,
    shared by all such runs, so counting and writing them can be done once per shape
    (``line_tail`` caches the end of their results.jsonl line)."""

    line_tail: str | None = None


@dataclass(frozen=True)
class _Shape:
    """The checks of one kind of run, their groups, and the outcome when all pass (one
    shared tuple: the aggregator counts such runs by it)."""

    checks: tuple[Check, ...]
    groups: tuple[int, ...]
    passes: CleanOutcomes


def compile_plan(
    evaluation: s.EvaluationSpec | None,
    input_checks: Mapping[int, Sequence[s.CheckBase]] | None = None,
    *,
    working_directory: Path | None = None,
    judge: JudgeFactory = unavailable_judge,
    input_key: Callable[[int], tuple[str | int, ...]] = lambda i: ("base_inputs", i, "checks"),
) -> EvaluationPlan:
    """Compile the ``evaluation`` section and the inputs' own checks (by input index).

    ``working_directory`` goes on sys.path while python checks are imported; an
    unimportable one is a ConfigError naming its key (``input_key`` gives the key path of
    an input's checks, e.g. in an inputs file). Disabled evaluators are left out.
    """
    evaluation = evaluation or s.EvaluationSpec()
    taken: set[str] = set()
    root: tuple[str | int, ...] = ("evaluation",)

    def build(specs: Sequence[s.CheckBase], where: tuple[str | int, ...]) -> list[Check]:
        return [
            compile_scoped(
                item,
                key=format_key_path((*where, index)),
                working_directory=working_directory,
            )
            for index, item in enumerate(specs)
        ]

    main = build(evaluation.checks, (*root, "checks"))
    _unique(main, taken)
    groups = [_Group(CHECKS_GROUP, 1.0, tuple(main))]
    for position, evaluator in enumerate(evaluation.evaluators):
        if not evaluator.enabled:
            continue
        where = (*root, "evaluators", position)
        if isinstance(evaluator, s.RuleBasedEvaluator):
            checks = build(evaluator.rules, (*where, "rules"))
            for check in checks:
                check.rename(f"{evaluator.name}.{check.name}")
        else:
            checks = [scoped(judge(evaluator, format_key_path(where)), evaluator.scope)]
        _unique(checks, taken)
        groups.append(_Group(evaluator.name, evaluator.weight, tuple(checks)))
    per_input: dict[int, list[Check]] = {}
    for index, specs in (input_checks or {}).items():
        if specs:
            compiled = build(specs, input_key(index))
            for check in compiled:
                check.rename(f"{INPUT_PREFIX}{check.name}")
            _unique(compiled, set())
            per_input[index] = compiled
    every = [*(c for g in groups for c in g.checks), *(c for cs in per_input.values() for c in cs)]
    expects_errors = any(getattr(check, "on", None) == "error" for check in every)
    return EvaluationPlan(groups, per_input, expects_errors=expects_errors)
