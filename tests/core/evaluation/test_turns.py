"""Checks scoped to a conversation's turns (last, any, every, transcript) and turn_count,
on runs built by hand (a real conversation: tests/core/runner/test_conversation_grading.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from eval_helpers import record

from fluxloop_core.errors import ConfigError
from fluxloop_core.evaluation.judge import judge_factory
from fluxloop_core.evaluation.reading import RunView
from fluxloop_core.evaluation.spec import checks_of, validate_evaluation
from fluxloop_core.evaluation.turns import compile_scoped
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.results.models import TraceRecord


def conversation(*replies: Any, status: str = "success") -> TraceRecord:
    """A conversation whose agent answered ``replies`` (user messages u0, u1, ...); the
    second turn's reply came with a callback call and a tool span."""
    turns: list[dict[str, Any]] = []
    for number, reply in enumerate(replies):
        turns.append({"role": "user", "content": f"u{number}", "source": "input"})
        turns.append(
            {
                "role": "assistant",
                "content": reply,
                "source": "agent",
                "duration_ms": 100.0 * (number + 1),
                "status": status if number == len(replies) - 1 else "success",
                "error": None,
                "callback_calls": (
                    [
                        {
                            "parameter": "send",
                            "provider": "builtin:collector.send",
                            "args": ["sent on turn 2"],
                            "kwargs": {},
                            "timestamp": "2026-12-01T00:00:00+00:00",
                        }
                    ]
                    if number == 1
                    else []
                ),
                "spans": [{"name": "search", "kind": "tool"}] if number == 1 else [],
            }
        )
    run = record(replies[-1], text="u0", status=status, duration_ms=1000.0)
    return TraceRecord.model_validate(
        {**run.model_dump(mode="json"), "turns": turns, "turn_count": len(replies)}
    )


def grade(check: dict[str, Any], run: TraceRecord) -> tuple[bool, float, str | None, bool]:
    spec = checks_of([check])[0]
    outcome = compile_scoped(spec, key="evaluation.checks[0]")(RunView(run))
    return outcome.passed, outcome.score, outcome.reason, outcome.grading_error


def contains(word: str, scope: str) -> dict[str, Any]:
    return {"check": "contains", "keywords": [word], "scope": scope}


TALK = conversation("Hello, how can I help?", "The total is 42 USD", "Anything else?")


@pytest.mark.parametrize(
    ("word", "scope", "passed"),
    [
        ("else", "last", True),
        ("USD", "last", False),
        ("USD", "any", True),
        ("nothing", "any", False),
        ("?", "every", False),
        ("e", "every", True),
        ("u1\nassistant: The total", "transcript", True),
        ("u3", "transcript", False),
    ],
)
def test_scopes_read_the_turns_they_name(word: str, scope: str, passed: bool) -> None:
    assert grade(contains(word, scope), TALK)[0] is passed


def test_every_names_the_first_failing_turn() -> None:
    passed, score, reason, error = grade(contains("?", "every"), TALK)
    assert (passed, score, error) == (False, 0.0, False)
    assert reason == "agent turn 2: output lacks '?'"


def test_any_reports_the_best_turn_when_none_passes() -> None:
    check = {
        "check": "similarity",
        "expected": "The total is 42 EUR",
        "min_score": 0.9,
        "scope": "any",
    }
    passed, score, reason, _ = grade(check, TALK)
    assert not passed
    # difflib: "The total is 42 " and then "U" match: 2 * 17 matched of 19 + 19 characters.
    assert score == pytest.approx(34 / 38)
    assert reason is not None and reason.startswith("no agent turn passed (e.g. ")


def test_the_transcript_is_role_and_content_lines() -> None:
    check = {
        "check": "equals",
        "value": 'user: u0\nassistant: a\nuser: u1\nassistant: {"n": 1}',
        "scope": "transcript",
    }
    assert grade(check, conversation("a", {"n": 1}))[0]


def test_per_turn_views_carry_that_turns_duration_callbacks_and_spans() -> None:
    assert grade({"check": "latency_under", "budget_ms": 250, "scope": "any"}, TALK)[0]
    assert not grade({"check": "latency_under", "budget_ms": 250, "scope": "every"}, TALK)[0]
    assert not grade({"check": "latency_under", "budget_ms": 250}, TALK)[0]  # the whole run
    called = {"check": "callback_called", "name": "send", "contains": "turn 2"}
    assert grade({**called, "scope": "any"}, TALK)[0]
    assert not grade({**called, "scope": "every"}, TALK)[0]
    assert grade({"check": "tool_called", "name": "search", "scope": "any"}, TALK)[0]


def test_a_single_call_is_its_one_turn_in_every_scope() -> None:
    single = record("Your balance is 42 USD")
    for scope in ("last", "any", "every"):
        assert grade(contains("42", scope), single)[0]
        assert not grade(contains("EUR", scope), single)[0]
    assert grade(contains("user: What is my balance?\nassistant: Your", "transcript"), single)[0]


@pytest.mark.parametrize(
    ("bounds", "run", "reason"),
    [
        ({"min": 2, "max": 3}, TALK, None),
        ({"min": 4}, TALK, "3 agent turns, fewer than 4"),
        ({"max": 2}, TALK, "3 agent turns, more than 2"),
        ({"max": 1}, record(), None),  # a single call is one turn
        ({"min": 2}, record(), "1 agent turns, fewer than 2"),
    ],
)
def test_turn_count(bounds: dict[str, int], run: TraceRecord, reason: str | None) -> None:
    passed, _, said, _ = grade({"check": "turn_count", **bounds}, run)
    assert passed is (reason is None)
    assert said == reason


@pytest.mark.parametrize(
    ("check", "says"),
    [
        ({"check": "turn_count"}, "needs min, max or both"),
        ({"check": "turn_count", "min": 3, "max": 2}, "max 2 is below min 3"),
        ({"check": "contains", "keywords": ["a"], "scope": "all"}, "'last', 'any', 'every'"),
    ],
)
def test_mistakes_are_config_errors(check: dict[str, Any], says: str) -> None:
    with pytest.raises((ConfigError, ValueError), match=says):
        validate_evaluation({"checks": [check]})


def test_unreadable_turns_are_a_grading_error_not_a_fail() -> None:
    broken = TraceRecord.model_validate({**record().model_dump(mode="json"), "turns": "oops"})
    for check in (contains("a", "every"), {"check": "turn_count", "min": 1}):
        passed, _, reason, error = grade(check, broken)
        assert (passed, error, reason) == (False, True, "this run's turns cannot be read")


def test_scoped_checks_on_an_errored_conversation_follow_their_inner_check() -> None:
    failed = conversation("fine", "boom", status="error")
    plan = compile_plan(
        validate_evaluation(
            {"checks": [contains("fine", "any"), {"check": "success", "scope": "every"}]}
        )
    )
    verdict = plan.grade(failed)
    # contains skips errored runs; success on every turn names the failing one.
    assert [o.name for o in verdict.outcomes] == ["success"]
    assert verdict.outcomes[0].reason == "agent turn 2: error"


def test_an_llm_judge_reads_the_turns_its_scope_names() -> None:
    sent: list[str] = []

    def endpoint(messages: list[dict[str, str]]) -> str:
        content = messages[1]["content"]
        sent.append(content)
        return json.dumps({"passed": "rude" not in content, "score": 1, "reason": "tone"})

    def judged(scope: str) -> tuple[bool, str | None]:
        sent.clear()
        evaluator = {"name": "tone", "type": "llm_judge", "prompt_template": "{output}"}
        spec = validate_evaluation({"evaluators": [{**evaluator, "scope": scope}]})
        plan = compile_plan(spec, judge=judge_factory(endpoint))
        (outcome,) = plan.grade(conversation("hello", "rude reply", "bye")).outcomes
        return outcome.passed, outcome.reason

    # The last reply alone: one judgement, which passes.
    assert judged("last")[0] is True and sent == ["bye"]
    # Every agent turn: one judgement each, the failing turn named.
    assert judged("every") == (False, "agent turn 2: tone") and sent == ["hello", "rude reply"]
    # The whole conversation in one judgement.
    assert judged("transcript")[0] is False and len(sent) == 1
    assert all(text in sent[0] for text in ("u0", "hello", "u1", "rude reply", "u2", "bye"))
