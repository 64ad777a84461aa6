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
from fluxloop_core.evaluation.checks import Check, CheckOutcome, SuccessCheck, compile_check
from fluxloop_core.evaluation.reading import RunView, TemplateError
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
        self.per_input = {index: tuple(checks) for index, checks in per_input.items()}
        self.expects_errors = expects_errors
        self._has_success = any(
            isinstance(check, SuccessCheck) for group in self.groups for check in group.checks
        )

    @property
    def check_names(self) -> list[str]:
        """Every check's name, in config order (per-input checks last)."""
        names = [check.name for group in self.groups for check in group.checks]
        for checks in self.per_input.values():
            names.extend(check.name for check in checks if check.name not in names)
        return names

    def grade(self, record: TraceRecord) -> RunVerdict:
        """Run every applicable check on ``record`` and decide its verdict."""
        # One pass, no intermediate lists: this runs on every run of an experiment.
        view = RunView(record)
        errored = record.status != "success"
        outcomes: list[CheckOutcome] = []
        failed = ungraded = False
        if errored and not self.expects_errors and not self._has_success:
            outcomes.append(_IMPLICIT_SUCCESS(view))
            failed = True
        weighted = weights = 0.0
        own = self.per_input.get(record.input_index, ())
        for group in self.groups:
            total = 0.0
            counted = 0
            for check in group.checks + own if group.name == CHECKS_GROUP else group.checks:
                if errored and not check.applies_to_errors:
                    continue
                try:
                    outcome = check.grade(view)
                except TemplateError as exc:
                    outcome = check.error(str(exc))
                outcomes.append(outcome)
                if outcome.grading_error:
                    ungraded = True
                    continue
                if not outcome.passed:
                    failed = True
                total += outcome.score
                counted += 1
            if counted and group.weight > 0:
                weighted += group.weight * total / counted
                weights += group.weight
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
            compile_check(
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
            checks = [judge(evaluator, format_key_path(where))]
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
