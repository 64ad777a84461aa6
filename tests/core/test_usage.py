"""Per-run tokens, calls and cost from spans, with prices worked out by hand."""

from __future__ import annotations

from typing import Any

import pytest

from fluxloop_core.config.models import ModelPrice
from fluxloop_core.usage import cost_usd, price_lookup, run_usage

PRICING = {
    "gpt-4o-mini": ModelPrice(input_per_million=0.15, output_per_million=0.60),
    "gpt-4o": ModelPrice(input_per_million=2.50, output_per_million=10.00),
    "claude": ModelPrice(input_per_million=3.00, output_per_million=15.00),
}


def _llm(
    start: str, model: str | None, prompt: Any, completion: Any, **extra: Any
) -> dict[str, Any]:
    usage: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion}
    if model:
        usage["model"] = model
    return {"kind": "prompt", "name": "ask", "start": start, "usage": usage, **extra}


def _tool(start: str, name: str) -> dict[str, Any]:
    return {"kind": "tool", "name": name, "start": start}


def test_tokens_per_model_calls_and_tools_in_order() -> None:
    spans = [
        _tool("2026-01-01T00:00:03", "search"),
        _llm("2026-01-01T00:00:01", "gpt-4o-mini", 1000, 200),
        _llm("2026-01-01T00:00:02", None, 10, 5, metadata={"model": "gpt-4o"}),
        _tool("2026-01-01T00:00:04", "calculator"),
        _llm("2026-01-01T00:00:05", "gpt-4o-mini", 3000, 800),
        _tool("2026-01-01T00:00:06", "search"),
    ]
    usage = run_usage(spans)
    assert usage is not None
    assert usage.tokens == {"gpt-4o-mini": [4000, 1000], "gpt-4o": [10, 5]}
    assert (usage.input_tokens, usage.output_tokens, usage.llm_calls) == (4010, 1005, 3)
    assert usage.tool_calls == {"search": 2, "calculator": 1}
    assert usage.tool_sequence == ["search", "calculator", "search"]
    # 4000 × 0.15/1e6 + 1000 × 0.60/1e6 + 10 × 2.50/1e6 + 5 × 10/1e6
    #   = 0.0006 + 0.0006 + 0.000025 + 0.00005 = 0.001275
    assert cost_usd(usage, PRICING) == pytest.approx(0.001275)


def test_an_unpriced_model_makes_the_cost_unknown_not_zero() -> None:
    usage = run_usage([_llm("1", "mystery-model", 10, 10), _llm("2", "gpt-4o", 10, 10)])
    assert usage is not None
    assert cost_usd(usage, PRICING) is None
    no_model = run_usage([_llm("1", None, 5, 5)])
    assert no_model is not None and list(no_model.tokens) == ["unknown"]
    assert cost_usd(no_model, PRICING) is None


def test_a_dated_model_is_priced_by_its_longest_prefix() -> None:
    assert price_lookup("gpt-4o-mini-2024-07-18", PRICING) is PRICING["gpt-4o-mini"]
    assert price_lookup("gpt-4o-2024-08-06", PRICING) is PRICING["gpt-4o"]
    assert price_lookup("o1", PRICING) is None


@pytest.mark.parametrize(
    "spans",
    [[], [{"kind": "agent", "name": "run"}], ["not a span", 7, None]],
)
def test_nothing_to_count_is_none(spans: list[Any]) -> None:
    assert run_usage(spans) is None


def test_malformed_counts_are_zero_and_never_an_error() -> None:
    usage = run_usage([_llm("1", "gpt-4o", -5, "many"), _llm("2", "gpt-4o", True, 1.5)])
    assert usage is not None
    assert usage.tokens == {"gpt-4o": [0, 0]} and usage.llm_calls == 2
    assert cost_usd(usage, PRICING) == 0.0


def test_trace_line_shape() -> None:
    usage = run_usage([_llm("1", "gpt-4o", 7, 3), _tool("2", "search")])
    assert usage is not None
    assert usage.to_json() == {
        "input_tokens": 7,
        "output_tokens": 3,
        "llm_calls": 1,
        "models": {"gpt-4o": {"input_tokens": 7, "output_tokens": 3}},
        "tool_calls": {"search": 1},
    }
