"""The llm_judge evaluator without its transport: prompts, answers, budget, grading errors.

The endpoint is a plain function here (the seam where generation's client plugs in); the
HTTP transport itself is tested where it lives, against tests/chat_server.py.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from eval_helpers import record

from fluxloop_core.evaluation.aggregate import Aggregator
from fluxloop_core.evaluation.judge import (
    JudgeAnswerError,
    Messages,
    judge_factory,
    judge_messages,
    parse_judgement,
)
from fluxloop_core.evaluation.reading import RunView
from fluxloop_core.evaluation.spec import LLMJudgeEvaluator, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan


def judge(**extra: Any) -> LLMJudgeEvaluator:
    data = {"name": "tone", "type": "llm_judge", "prompt_template": "Q: {input}\nA: {output}"}
    spec = validate_evaluation({"evaluators": [{**data, **extra}]}).evaluators[0]
    assert isinstance(spec, LLMJudgeEvaluator)
    return spec


def test_prompt_fills_input_output_and_metadata() -> None:
    spec = judge(prompt_template="Tier {metadata.tier}. Q: {input} A: {output}")
    run = RunView(record("42 USD", text="balance {output}?", metadata={"tier": "gold"}))
    system, user = judge_messages(spec, run)
    assert system["role"] == "system" and '"passed"' in system["content"]
    # The input's own "{output}" is not replaced: only the rubric's placeholders are.
    assert user == {"role": "user", "content": "Tier gold. Q: balance {output}? A: 42 USD"}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ('{"passed": true, "score": 1, "reason": "polite"}', (True, 1.0, "polite")),
        ('```json\n{"passed": false, "score": 0.2, "reason": "rude"}\n```', (False, 0.2, "rude")),
        ('Sure! {"verdict": "pass"} hope that helps', (True, 1.0, "")),
        ('{"score": 0.7}', (True, 0.7, "")),
        ('{"score": 0.3}', (False, 0.3, "")),
        ("PASS - the answer is polite", (True, 1.0, "PASS - the answer is polite")),
        ("fail.", (False, 0.0, "fail.")),
    ],
)
def test_answers_read_as_verdicts(answer: str, expected: tuple[bool, float, str]) -> None:
    assert parse_judgement(answer, judge()) == expected


def test_score_scale() -> None:
    # max_score 10, min_score 0.5: 6/10 passes, 4/10 fails, 11 is out of range.
    spec = judge(max_score=10)
    assert parse_judgement('{"score": 6}', spec) == (True, 0.6, "")
    assert parse_judgement('{"score": 4}', spec) == (False, 0.4, "")
    with pytest.raises(JudgeAnswerError, match=r"outside 0\.\.10"):
        parse_judgement('{"score": 11}', spec)


@pytest.mark.parametrize(
    "answer",
    [None, "", "   ", "I think it is fine", '{"reason": "no verdict"}', '{"score": "high"}',
     '{"score": true}', "{" * 5000 + "}" * 5000],
)  # fmt: skip
def test_unreadable_answers(answer: str | None) -> None:
    with pytest.raises(JudgeAnswerError):
        parse_judgement(answer, judge())


def test_judge_in_a_plan_counts_failures_to_answer_as_grading_errors() -> None:
    sent: list[Messages] = []

    def endpoint(messages: Messages) -> str | None:
        sent.append(messages)
        content = messages[1]["content"]
        if "boom" in content:
            raise RuntimeError("http://127.0.0.1:9/v1 failed after 5 attempts (last: HTTP 429)")
        if "garbage" in content:
            return "<html>busy</html>"
        return json.dumps({"passed": "good" in content, "score": 1, "reason": "r"})

    text = {"evaluators": [{"name": "tone", "type": "llm_judge", "prompt_template": "{output}"}]}
    plan = compile_plan(validate_evaluation(text), judge=judge_factory(endpoint))
    aggregator = Aggregator()
    for index, output in enumerate(["good", "bad", "boom", "garbage"]):
        aggregator.add(plan.grade(record(output, input_index=index)))
    summary = aggregator.summary()
    assert [(i.passed, i.graded, i.ungraded) for i in summary.inputs] == [
        (1, 1, 0),
        (0, 1, 0),
        (0, 0, 1),
        (0, 0, 1),
    ]
    assert summary.grading_errors == 2 and summary.checks[0].grading_errors == 2
    reasons = [r for run in summary.failing_runs for r in run.reasons]
    assert reasons[1].startswith("tone: the judge did not answer: http://127.0.0.1:9/v1 failed")
    assert reasons[2] == "tone: unreadable judgement: not a verdict: '<html>busy</html>'"
    assert len(sent) == 4


def test_max_llm_calls_is_shared_by_every_judge() -> None:
    calls = 0

    def endpoint(messages: Messages) -> str:
        nonlocal calls
        calls += 1
        return '{"passed": true}'

    data = {
        "evaluators": [
            {"name": "a", "type": "llm_judge", "prompt_template": "{output}"},
            {"name": "b", "type": "llm_judge", "prompt_template": "{output}"},
        ],
        "limits": {"max_llm_calls": 3},
    }
    spec = validate_evaluation(data)
    plan = compile_plan(spec, judge=judge_factory(endpoint, spec.limits.max_llm_calls))
    first, second = plan.grade(record("x")), plan.grade(record("y", iteration=1))
    assert first.passed and calls == 3
    assert not second.graded
    assert second.outcomes[1].reason == "max_llm_calls (3) reached; not judged"


def test_upstream_first_number_parser() -> None:
    # fluxloop-cli 0.2.x's llm_judge, as its docs wrote it: the rubric alone is sent.
    spec = judge(
        model="gpt-4o-mini",
        max_score=10,
        parser="first_number_1_10",
        metadata={"sample_response": "Score: 8"},
        prompt_template="Score the response from 1-10.\nInput: {input}\nOutput: {output}",
    )
    (message,) = judge_messages(spec, RunView(record("42 USD")))
    assert message["role"] == "user" and message["content"].endswith("Output: 42 USD")
    assert parse_judgement("Score: 8/10\nReason: clear and short", spec) == (
        True,
        0.8,
        "clear and short",
    )
    assert parse_judgement("3", spec) == (False, 0.3, "3")
    for answer in ("no idea", "Score: 12"):
        with pytest.raises(JudgeAnswerError):
            parse_judgement(answer, spec)
