"""The usage checks: tokens, cost and tools, on runs whose spans are built by hand."""

from __future__ import annotations

from typing import Any

import pytest
from eval_helpers import record, run_check

from fluxloop_core.results.models import TraceRecord
from fluxloop_core.usage import run_usage


def _llm(start: int, model: str, prompt: int, completion: int) -> dict[str, Any]:
    usage = {"prompt_tokens": prompt, "completion_tokens": completion, "model": model}
    return {
        "kind": "prompt",
        "name": "ask",
        "start": f"2026-01-01T00:00:{start:02}",
        "usage": usage,
    }


def _tool(start: int, name: str) -> dict[str, Any]:
    return {"kind": "tool", "name": name, "start": f"2026-01-01T00:00:{start:02}"}


def _run(spans: list[dict[str, Any]], cost: float | None = None, **fields: Any) -> TraceRecord:
    base = record(**fields)
    usage = run_usage(spans)
    return base.model_copy(
        update={"spans": spans, "usage": usage.to_json() if usage else None, "cost_usd": cost}
    )


AGENT_SPANS = [
    _llm(1, "gpt-4o-mini", 800, 150),
    _tool(2, "search"),
    _tool(3, "calculator"),
    _llm(4, "gpt-4o-mini", 400, 50),
    _tool(5, "search"),
]  # 1200 input + 200 output tokens; search, calculator, search


@pytest.mark.parametrize(
    ("check", "passed", "reason"),
    [
        ({"max_tokens": 1400}, True, None),
        ({"max_tokens": 1399}, False, "used 1400 tokens, at most 1399"),
        ({"max_tokens": 1200, "count": "input"}, True, None),
        ({"max_tokens": 199, "count": "output"}, False, "used 200 output tokens, at most 199"),
    ],
)
def test_token_usage_under(check: dict[str, Any], passed: bool, reason: str | None) -> None:
    outcome = run_check({"check": "token_usage_under", **check}, _run(AGENT_SPANS))
    assert (outcome.passed, outcome.reason) == (passed, reason)
    if not passed:
        assert outcome.score == pytest.approx(
            check["max_tokens"] / (1400 if "count" not in check else 200)
        )


def test_cost_under() -> None:
    assert run_check({"check": "cost_under", "max_usd": 0.01}, _run(AGENT_SPANS, 0.0003)).passed
    over = run_check({"check": "cost_under", "max_usd": 0.0002}, _run(AGENT_SPANS, 0.0003))
    assert not over.passed and over.reason == "cost $0.000300, at most $0.0002"
    unknown = run_check({"check": "cost_under", "max_usd": 1}, _run(AGENT_SPANS, None))
    assert unknown.grading_error and "no price for gpt-4o-mini" in (unknown.reason or "")
    # No LLM call spends nothing.
    assert run_check({"check": "cost_under", "max_usd": 0}, _run([_tool(1, "search")])).passed


def test_tool_called_and_not_called() -> None:
    run = _run(AGENT_SPANS)
    assert run_check({"check": "tool_called", "name": "search", "min_count": 2}, run).passed
    three = run_check({"check": "tool_called", "name": "search", "min_count": 3}, run)
    assert three.name == "tool_called:search"
    assert three.reason == "called 2 times, expected at least 3"
    missing = run_check({"check": "tool_called", "name": "email"}, run)
    assert missing.reason == "called 0 times, expected at least 1"
    assert run_check({"check": "tool_not_called", "name": "email"}, run).passed
    called = run_check({"check": "tool_not_called", "name": "calculator"}, run)
    assert (called.passed, called.reason) == (False, "called 1 time")


@pytest.mark.parametrize(
    ("names", "mode", "passed"),
    [
        (["search", "search"], "in_order", True),
        (["search", "calculator"], "in_order", True),
        (["calculator", "search"], "in_order", True),
        (["calculator", "calculator"], "in_order", False),
        (["search", "calculator", "search"], "exact", True),
        (["search", "calculator"], "exact", False),
        (["email"], "in_order", False),
    ],
)
def test_tool_sequence(names: list[str], mode: str, passed: bool) -> None:
    outcome = run_check({"check": "tool_sequence", "names": names, "mode": mode}, _run(AGENT_SPANS))
    assert outcome.passed is passed
    if not passed:
        assert outcome.reason == "tools called: search → calculator → search"


def test_runs_without_usage_and_errored_runs() -> None:
    plain = record()
    assert run_check({"check": "token_usage_under", "max_tokens": 0}, plain).passed
    assert not run_check({"check": "tool_called", "name": "search"}, plain).passed
    assert run_check({"check": "tool_sequence", "names": ["x"]}, plain).reason == (
        "tools called: none"
    )
    # An agent that raised after calling a tool is still judged on what it called.
    errored = _run(AGENT_SPANS, status="error", error=("ValueError", "boom"), output=None)
    assert not run_check({"check": "tool_not_called", "name": "search"}, errored).passed


@pytest.mark.parametrize(
    "check",
    [
        {"check": "token_usage_under"},
        {"check": "token_usage_under", "max_tokens": -1},
        {"check": "token_usage_under", "max_tokens": 5, "count": "both"},
        {"check": "cost_under", "max_usd": -0.1},
        {"check": "tool_called", "name": ""},
        {"check": "tool_called", "name": "x", "min_count": 0},
        {"check": "tool_sequence", "names": []},
        {"check": "tool_sequence", "names": ["a"], "mode": "loose"},
        {"check": "tool_calld", "name": "x"},
    ],
)
def test_bad_parameters_are_config_errors(check: dict[str, Any]) -> None:
    from fluxloop_core.evaluation.spec import validate_evaluation

    with pytest.raises(ValueError):
        validate_evaluation({"checks": [check]})
