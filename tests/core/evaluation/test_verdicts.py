"""Per-run verdicts: which checks apply, weighted scores, grading errors, the judge seam."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from eval_helpers import record

from fluxloop_core.evaluation.checks import Check, CheckOutcome
from fluxloop_core.evaluation.reading import RunView
from fluxloop_core.evaluation.spec import LLMJudgeEvaluator, checks_of, validate_evaluation
from fluxloop_core.evaluation.verdicts import EvaluationPlan, RunVerdict, compile_plan


def plan(text: str, input_checks: dict[int, Any] | None = None, **kwargs: Any) -> EvaluationPlan:
    spec = validate_evaluation(yaml.safe_load(text))
    checks = {i: checks_of(c) for i, c in (input_checks or {}).items()}
    return compile_plan(spec, checks, **kwargs)


BASIC = """
checks:
  - check: output_not_empty
  - check: not_contains
    keywords: ["I cannot"]
  - check: latency_under
    budget_ms: 100
"""


def test_a_run_passes_when_every_check_passes() -> None:
    verdict = plan(BASIC).grade(record("42 USD"))
    assert verdict.passed and verdict.graded and verdict.score == 1.0
    assert [o.name for o in verdict.outcomes] == [
        "output_not_empty",
        "not_contains",
        "latency_under",
    ]
    failed = plan(BASIC).grade(record("I cannot", duration_ms=400))
    assert not failed.passed and failed.graded
    assert failed.reasons == [
        "not_contains: output contains 'I cannot'",
        "latency_under: took 400 ms, budget 100 ms",
    ]
    # Scores 1, 0, 0.25 in one group: mean 0.4167.
    assert failed.score == pytest.approx((1 + 0 + 0.25) / 3)


def test_an_agent_error_fails_with_the_implicit_success_reason() -> None:
    verdict = plan(BASIC).grade(
        record(None, status="error", error=("KeyError", "x"), duration_ms=5)
    )
    assert not verdict.passed and verdict.run_error
    # Only checks that look at failed runs are graded; output checks are not.
    assert [o.name for o in verdict.outcomes] == ["success", "latency_under"]
    assert verdict.reasons == ["success: error: KeyError: x"]


def test_an_experiment_expecting_errors_grades_them() -> None:
    expecting = plan("checks: [{check: contains, keywords: [refused], on: error}]")
    run = record(None, status="error", error=("PermissionError", "refused"))
    verdict = expecting.grade(run)
    assert verdict.passed and [o.name for o in verdict.outcomes] == ["contains"]


def test_explicit_success_check_is_not_doubled() -> None:
    verdict = plan("checks: [success]").grade(record(None, status="timeout"))
    assert [o.name for o in verdict.outcomes] == ["success"]


def test_per_input_checks_apply_to_their_input_only() -> None:
    compiled = plan(
        "checks: [output_not_empty]",
        {1: [{"check": "contains", "keywords": ["balance"]}]},
    )
    assert compiled.grade(record("hello", input_index=0)).passed
    verdict = compiled.grade(record("hello", input_index=1))
    assert not verdict.passed
    assert [o.name for o in verdict.outcomes] == ["output_not_empty", "input.contains"]
    assert compiled.check_names == ["output_not_empty", "input.contains"]


def test_duplicate_names_stay_apart_and_evaluators_prefix_theirs() -> None:
    compiled = plan(
        """
checks:
  - {check: contains, keywords: [a]}
  - {check: contains, keywords: [b]}
evaluators:
  - name: policy
    type: rule_based
    weight: 3
    rules:
      - {check: matches_regex, pattern: "\\\\d"}
  - name: legacy
    type: rule_based
    enabled: false
    rules: [success]
"""
    )
    verdict = compiled.grade(record("a 1"))
    assert [o.name for o in verdict.outcomes] == ["contains", "contains#2", "policy.matches_regex"]
    # checks group: (1 + 0)/2 = 0.5 weight 1; policy: 1.0 weight 3 → (0.5 + 3)/4 = 0.875.
    assert verdict.score == pytest.approx(0.875)
    assert not verdict.passed


def test_grading_error_makes_the_run_ungraded_unless_another_check_failed() -> None:
    compiled = plan(
        """
checks:
  - {check: equals, value: "{metadata.answer}"}
  - {check: output_not_empty}
"""
    )
    ungraded = compiled.grade(record("42"))
    assert not ungraded.passed and not ungraded.graded and ungraded.grading_errors == 1
    # The grading error does not count as a 0 in the score.
    assert ungraded.score == 1.0
    both = compiled.grade(record(""))
    assert both.graded and not both.passed


class _EchoJudge(Check):
    __slots__ = ()

    def grade(self, run: RunView) -> CheckOutcome:
        if "fail to answer" in run.text():
            return self.error("judge: HTTP 429 after 4 retries")
        return CheckOutcome(self.name, "good" in run.text(), 0.8)


def test_llm_judge_seam() -> None:
    text = """
evaluators:
  - name: tone
    type: llm_judge
    prompt_template: "Is {output} polite?"
"""
    default = plan(text).grade(record("good"))
    assert not default.graded and "not available" in default.outcomes[0].reason  # type: ignore[operator]
    seen: list[tuple[str, str]] = []

    def factory(spec: LLMJudgeEvaluator, key: str) -> Check:
        seen.append((spec.name, key))
        return _EchoJudge(spec.name)

    judged = plan(text, judge=factory)
    assert seen == [("tone", "evaluation.evaluators[0]")]
    assert judged.grade(record("good")).passed
    assert not judged.grade(record("bad")).passed
    error = judged.grade(record("fail to answer"))
    assert not error.graded and error.grading_errors == 1


def test_verdict_round_trips_through_json() -> None:
    verdict = plan(BASIC).grade(record("I cannot", duration_ms=400))
    assert RunVerdict.from_json(verdict.to_json()) == verdict


def test_no_evaluation_section_means_every_finished_run_passes() -> None:
    empty = compile_plan(None)
    assert empty.grade(record("x")).passed
    assert not empty.grade(record(None, status="error", error=("E", "m"))).passed
