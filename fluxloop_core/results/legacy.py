"""Experiment folders written by fluxloop-cli 0.2.x, read as ours.

0.2.x ``run experiment`` writes ``summary.json`` once at the end (``name``, ``date``, its
whole ``config``, ``results`` with ``duration_seconds``), ``traces.jsonl`` with one line per
*successful* run (``trace_id``, ``iteration``, ``persona``, ``input``, ``output``,
``duration_ms``, ``success``, ``conversation``...), ``trace_summary.jsonl`` (the same
lines, shorter), ``observations.jsonl``, and ``errors.json`` (``iteration``, ``persona``,
``input``, ``error``) when runs failed. The SDK 0.1.8's offline store
(``experiments/artifacts/``) also holds a ``traces.jsonl``: it is not an experiment.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fluxloop_core.results.models import (
    ERRORS_FILE,
    SUMMARY_FILE,
    TRACES_FILE,
    ErrorInfo,
    ExperimentSummary,
    TraceRecord,
)
from fluxloop_core.results.stats import Stats

LEGACY_TRACE_SUMMARY_FILE = "trace_summary.jsonl"
_FIRST_LINE_LIMIT = 1 << 20  # a first line longer than this is not worth guessing from


def _is_legacy_trace(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and "trace_id" in data
        and "run_id" not in data
        and ("success" in data or "input" in data)
    )


def _first_line(folder: Path) -> Any:
    try:
        with open(folder / TRACES_FILE, "rb") as handle:
            raw = handle.readline(_FIRST_LINE_LIMIT)
        return json.loads(raw)
    except (OSError, ValueError, RecursionError):
        return None


def is_legacy_experiment(folder: Path) -> bool:
    """Whether ``folder`` was written by fluxloop-cli 0.2.x."""
    if (folder / LEGACY_TRACE_SUMMARY_FILE).is_file():
        return True
    return _is_legacy_trace(_first_line(folder))


def is_experiment_folder(folder: Path) -> bool:
    """Whether ``folder`` is an experiment (ours or 0.2.x), not an SDK offline store.

    A summary.json makes it one; without one (a killed run), its first trace line must
    be a run of ours or of 0.2.x (an unreadable first line still counts: a reader reports
    it rather than hide the folder).
    """
    if (folder / SUMMARY_FILE).exists():
        return True
    if not (folder / TRACES_FILE).exists():
        return False
    first = _first_line(folder)
    return not isinstance(first, dict) or "run_id" in first or _is_legacy_trace(first)


def _percentiles(folder: Path) -> dict[str, float]:
    """p50/p95 of the successful runs' durations (0.2.x did not compute them)."""
    stats = Stats()
    try:
        with open(folder / TRACES_FILE, "rb") as handle:
            for position, raw in enumerate(handle):
                record = legacy_trace(raw, position)
                if record is not None:
                    stats.add(record)
    except OSError:
        return {}
    result = stats.result()
    return {"p50_duration_ms": result.p50_duration_ms, "p95_duration_ms": result.p95_duration_ms}


def legacy_summary(summary: ExperimentSummary, folder: Path) -> ExperimentSummary:
    """A 0.2.x summary with the fields ours has filled from what it and its traces say
    (it is written once, when the experiment ends, so it is never behind its traces)."""
    config = summary.config
    runner = config.get("runner") if isinstance(config.get("runner"), dict) else {}
    results = summary.results
    extra = results.model_extra or {}
    duration = extra.get("duration_seconds")
    iterations = config.get("iterations")
    target = (runner or {}).get("target")
    return summary.model_copy(
        update={
            "results": results.model_copy(update=_percentiles(folder)),
            "started_at": summary.started_at or summary.date,
            "finished_at": summary.finished_at or summary.date,
            "duration_seconds": float(duration) if isinstance(duration, int | float) else 0.0,
            "iterations": iterations if isinstance(iterations, int) else summary.iterations,
            "planned_runs": summary.planned_runs or results.total_runs,
            "target": summary.target or (target if isinstance(target, str) else None),
        }
    )


def legacy_trace(raw: bytes, position: int) -> TraceRecord | None:
    """A 0.2.x trace line as a run (its other fields kept), or None when it is not one.

    0.2.x has no run ids: the trace id stands for one; ``position`` (the line's index) is
    the input index, as 0.2.x ran its inputs in file order.
    """
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not _is_legacy_trace(data):
        return None
    persona = data.get("persona")
    fields = {
        **data,
        "run_id": str(data["trace_id"]),
        "input_index": position,
        "iteration": data.get("iteration") if isinstance(data.get("iteration"), int) else 0,
        "input": _text(data.get("input")),
        "input_metadata": {"persona": persona} if persona is not None else {},
        "status": "success" if data.get("success") is not False else "error",
        "started_at": "",
        "duration_ms": data.get("duration_ms") or 0.0,
        "error": _error(data.get("error")) if data.get("success") is False else None,
    }
    try:
        return TraceRecord.model_validate(fields)
    except ValidationError:
        return None


def legacy_errors(folder: Path, *, start: int) -> Iterator[TraceRecord]:
    """The failed runs of a 0.2.x experiment (its errors.json), as error runs numbered
    from ``start``; nothing when the file is missing or unreadable."""
    try:
        entries = json.loads((folder / ERRORS_FILE).read_bytes())
    except (OSError, ValueError, RecursionError):
        return
    if not isinstance(entries, list):
        return
    for offset, entry in enumerate(e for e in entries if isinstance(e, dict)):
        persona = entry.get("persona")
        iteration = entry.get("iteration")
        yield TraceRecord(
            run_id=f"error-{offset + 1}",
            input_index=start + offset,
            iteration=iteration if isinstance(iteration, int) else 0,
            input=_text(entry.get("input")),
            input_metadata={"persona": persona} if persona is not None else {},
            status="error",
            started_at="",
            duration_ms=0.0,
            error=_error(entry.get("error")),
        )


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


def _error(value: Any) -> ErrorInfo:
    # 0.2.x kept only str(exception): the type is not known.
    return ErrorInfo(type="Error", message=value if isinstance(value, str) else _text(value))
