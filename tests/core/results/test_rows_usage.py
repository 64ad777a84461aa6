"""Tokens and cost in the experiment and run rows (status and the TUI) and detail views."""

from __future__ import annotations

from typing import Any

import pytest

from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.rows import (
    RUN_COLUMNS,
    cost_text,
    run_row,
    tokens_text,
    usage_lines,
)

USAGE = {
    "input_tokens": 1200,
    "output_tokens": 200,
    "llm_calls": 2,
    "models": {"gpt-4o-mini": {"input_tokens": 1200, "output_tokens": 200}},
    "tool_calls": {"search": 2, "calculator": 1},
}


def _record(usage: dict[str, Any] | None, cost: float | None) -> TraceRecord:
    return TraceRecord(
        run_id="0.0", input_index=0, iteration=0, input="hi", status="success",
        started_at="2026-01-01T00:00:00+00:00", duration_ms=1.0, output="ok",
        usage=usage, cost_usd=cost,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, "0"), (999, "999"), (1400, "1.4k"), (12_345, "12.3k"), (4_100_000, "4.1M")],
)
def test_tokens_text(count: int, shown: str) -> None:
    assert tokens_text(count) == shown


def test_cost_text() -> None:
    assert cost_text(0.00027, unpriced=False) == "$0.0003"
    assert cost_text(12.5, unpriced=False) == "$12.50"
    assert cost_text(0.5, unpriced=True) == "$0.5000+?"
    assert cost_text(None, unpriced=True) == "?"
    assert cost_text(None, unpriced=False) == ""


def test_run_row_ends_with_tokens_and_cost() -> None:
    cells = dict(zip(RUN_COLUMNS, run_row(_record(USAGE, 0.00027)), strict=True))
    assert (cells["tokens"], cells["cost"]) == ("1.4k", "$0.0003")
    unpriced = dict(zip(RUN_COLUMNS, run_row(_record(USAGE, None)), strict=True))
    assert unpriced["cost"] == "?"
    plain = dict(zip(RUN_COLUMNS, run_row(_record(None, None)), strict=True))
    assert (plain["tokens"], plain["cost"]) == ("", "")


def test_usage_lines_for_detail_views() -> None:
    assert usage_lines(_record(USAGE, 0.00027)) == [
        "tokens: 1200 in / 200 out over 2 LLM calls, cost $0.0003",
        "  gpt-4o-mini: 1200 in / 200 out",
        "tools: search ×2, calculator ×1",
    ]
    assert usage_lines(_record(USAGE, None))[0].endswith("cost unknown")
    assert usage_lines(_record(None, None)) == []
    # A hand-edited trace line with odd values reads, never raises.
    odd = {"llm_calls": "two", "models": ["x"], "tool_calls": {"t": 1}}
    assert usage_lines(_record(odd, None)) == ["tools: t ×1"]
