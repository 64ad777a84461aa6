"""Experiments and runs as table rows: the same columns in `fluxloop status` and the TUI."""

from __future__ import annotations

import json
from typing import Any

from fluxloop_core.counts import counted
from fluxloop_core.results.models import CallbackCall, ExperimentSummary, TraceRecord
from fluxloop_core.results.reader import ExperimentListing

EXPERIMENT_COLUMNS = ("experiment", "date", "runs", "success", "avg ms", "p95 ms", "cost", "note")
RUN_COLUMNS = ("run", "iter", "status", "ms", "input", "output / error", "tokens", "cost")
OUTPUT_COLUMN = RUN_COLUMNS.index("output / error")
TEXT_WIDTH = 40


def clip(text: str, width: int = TEXT_WIDTH) -> str:
    """One line of at most ``width`` characters (an ellipsis marks the cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def tokens_text(count: int) -> str:
    """A token count in a few characters: 950, 12.3k, 4.1M."""
    if count < 1000:
        return str(count)
    if count < 1_000_000:
        return f"{count / 1000:.1f}k"
    return f"{count / 1_000_000:.1f}M"


def cost_text(cost: float | None, *, unpriced: bool) -> str:
    """Dollars spent; ``?`` for what could not be priced (a model without a price)."""
    if cost is None:
        return "?" if unpriced else ""
    shown = f"${cost:.4f}" if cost < 1 else f"${cost:,.2f}"
    return shown + ("+?" if unpriced else "")


def experiment_row(item: ExperimentListing) -> list[str]:
    """An experiment under EXPERIMENT_COLUMNS; a folder without a summary shows why."""
    summary = item.summary
    if summary is None:
        return [item.path.name, "-", "-", "-", "-", "-", "-", item.problem or ""]
    stats = summary.results
    return [
        item.path.name,
        summary.date[:19].replace("T", " "),
        f"{stats.total_runs}/{summary.planned_runs}",
        f"{stats.success_rate:.1%}",
        f"{stats.avg_duration_ms:.1f}",
        f"{stats.p95_duration_ms:.1f}",
        cost_text(stats.cost_usd, unpriced=stats.unpriced_runs > 0),
        "interrupted" if summary.interrupted else "",
    ]


def summary_line(summary: ExperimentSummary) -> str:
    """One experiment's figures on a line: runs, ok/failed, success, timings, shape."""
    stats = summary.results
    parts = [
        f"{stats.total_runs}/{counted(summary.planned_runs, 'run')}",
        f"{stats.successful} ok",
        f"{stats.failed} failed ({stats.success_rate:.1%})",
        f"avg {stats.avg_duration_ms:.1f} ms",
        f"p95 {stats.p95_duration_ms:.1f} ms",
        f"{counted(summary.inputs_count, 'input')} × {counted(summary.iterations, 'iteration')}",
        f"parallel {summary.parallel_runs}",
    ]
    if stats.timed_out:
        parts.insert(3, f"{stats.timed_out} timed out")
    if stats.llm_calls:
        cost = cost_text(stats.cost_usd, unpriced=stats.unpriced_runs > 0)
        parts.append(
            f"{counted(stats.llm_calls, 'LLM call')} {tokens_text(stats.input_tokens)} in / "
            f"{tokens_text(stats.output_tokens)} out tokens" + (f" {cost}" if cost else "")
        )
    if summary.interrupted:
        parts.append("interrupted")
    return "  ".join(parts)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def sent_text(calls: list[CallbackCall]) -> str:
    """What a run sent through its callbacks, on one line: ``sent: first | second``.

    Replay handlers often return None and answer through ``send_message_callback``; this
    is their output. A call with one argument shows it; otherwise its arguments together.
    """
    parts = []
    for call in calls:
        value: Any = call.args[0] if len(call.args) == 1 and not call.kwargs else call.args
        if call.kwargs:
            value = {**({"args": call.args} if call.args else {}), **call.kwargs}
        parts.append(_as_text(value))
    return "sent: " + " | ".join(parts)


def result_text(record: TraceRecord) -> str:
    """What a run gave, as text: its output, or its error (``Type: message``); a run that
    returned None but sent messages through its callbacks gives what it sent."""
    if record.error is not None:
        return f"{record.error.type}: {record.error.message}"
    if record.output is None and record.callback_calls:
        return sent_text(record.callback_calls)
    return _as_text(record.output)


def run_row(record: TraceRecord) -> list[str]:
    """A run under RUN_COLUMNS: its :func:`result_text` on one clipped line."""
    result = result_text(record)
    return [
        record.run_id,
        str(record.iteration),
        record.status,
        f"{record.duration_ms:.1f}",
        clip(record.input),
        clip(result),
        *_usage_cells(record),
    ]


def _usage_cells(record: TraceRecord) -> list[str]:
    """The run's tokens and cost cells (blank when it recorded no LLM call)."""
    usage = record.usage or {}
    calls = usage.get("llm_calls")
    if not isinstance(calls, int) or calls <= 0:
        return ["", ""]
    tokens = sum(
        value
        for value in (usage.get("input_tokens"), usage.get("output_tokens"))
        if isinstance(value, int) and not isinstance(value, bool) and value > 0
    )
    return [tokens_text(tokens), cost_text(record.cost_usd, unpriced=record.cost_usd is None)]


def usage_lines(record: TraceRecord) -> list[str]:
    """The run's usage for a detail view: tokens and cost, tokens by model, tool calls
    (empty when it recorded neither an LLM call nor a tool call)."""
    usage = record.usage
    if not usage:
        return []
    lines = []
    calls = usage.get("llm_calls")
    if isinstance(calls, int) and calls > 0:
        cost = cost_text(record.cost_usd, unpriced=record.cost_usd is None)
        lines.append(
            f"tokens: {usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out "
            f"over {counted(calls, 'LLM call')}, cost {cost if cost != '?' else 'unknown'}"
        )
        models = usage.get("models")
        for model, pair in models.items() if isinstance(models, dict) else []:
            if isinstance(pair, dict):
                lines.append(
                    f"  {model}: {pair.get('input_tokens', 0)} in / "
                    f"{pair.get('output_tokens', 0)} out"
                )
    tools = usage.get("tool_calls")
    if isinstance(tools, dict) and tools:
        lines.append("tools: " + ", ".join(f"{name} ×{count}" for name, count in tools.items()))
    return lines
