"""Experiments and runs as table rows: the same columns in `fluxloop status` and the TUI."""

from __future__ import annotations

import json
from typing import Any

from fluxloop_core.counts import counted
from fluxloop_core.results.models import CallbackCall, ExperimentSummary, TraceRecord
from fluxloop_core.results.reader import ExperimentListing

EXPERIMENT_COLUMNS = ("experiment", "date", "runs", "success", "avg ms", "p95 ms", "note")
RUN_COLUMNS = ("run", "iter", "status", "ms", "input", "output / error")
TEXT_WIDTH = 40


def clip(text: str, width: int = TEXT_WIDTH) -> str:
    """One line of at most ``width`` characters (an ellipsis marks the cut)."""
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def experiment_row(item: ExperimentListing) -> list[str]:
    """An experiment under EXPERIMENT_COLUMNS; a folder without a summary shows why."""
    summary = item.summary
    if summary is None:
        return [item.path.name, "-", "-", "-", "-", "-", item.problem or ""]
    stats = summary.results
    return [
        item.path.name,
        summary.date[:19].replace("T", " "),
        f"{stats.total_runs}/{summary.planned_runs}",
        f"{stats.success_rate:.1%}",
        f"{stats.avg_duration_ms:.1f}",
        f"{stats.p95_duration_ms:.1f}",
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
    ]
