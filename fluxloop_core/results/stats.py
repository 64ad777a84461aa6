"""Counts and durations of an experiment's runs: the summary's ``results`` block.

The writer keeps one as runs finish; readers rebuild one from traces.jsonl when the
summary on disk is older than the lines (a hard kill).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

from fluxloop_core.results.models import ResultStats, TraceRecord


def _whole(value: object) -> int:
    # A trace line is read back from disk: its counts may have been edited by anyone.
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    # Nearest rank: the smallest value with at least `fraction` of the values at or below.
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Stats:
    """Counts and durations of the runs written so far."""

    successful: int = 0
    failed: int = 0
    timed_out: int = 0
    durations: array[float] = field(default_factory=lambda: array("d"))
    input_tokens: int = 0
    output_tokens: int = 0
    llm_calls: int = 0
    cost_usd: float | None = None
    unpriced_runs: int = 0

    def add(self, record: TraceRecord) -> None:
        """Count one finished run: its status, duration, tokens and cost."""
        if record.status == "success":
            self.successful += 1
        else:
            self.failed += 1
            if record.status == "timeout":
                self.timed_out += 1
        self.durations.append(record.duration_ms)
        usage = record.usage
        if usage:
            self.input_tokens += _whole(usage.get("input_tokens"))
            self.output_tokens += _whole(usage.get("output_tokens"))
            calls = _whole(usage.get("llm_calls"))
            self.llm_calls += calls
            if record.cost_usd is not None:
                self.cost_usd = (self.cost_usd or 0.0) + record.cost_usd
            elif calls:
                self.unpriced_runs += 1

    def result(self) -> ResultStats:
        """The summary's ``results`` block."""
        total = self.successful + self.failed
        ordered = sorted(self.durations)
        return ResultStats(
            total_runs=total,
            successful=self.successful,
            failed=self.failed,
            success_rate=round(self.successful / total, 6) if total else 0.0,
            avg_duration_ms=round(sum(ordered) / total, 3) if total else 0.0,
            p50_duration_ms=round(_percentile(ordered, 0.50), 3),
            p95_duration_ms=round(_percentile(ordered, 0.95), 3),
            timed_out=self.timed_out,
            input_tokens=self.input_tokens,
            output_tokens=self.output_tokens,
            llm_calls=self.llm_calls,
            cost_usd=None if self.cost_usd is None else round(self.cost_usd, 6),
            unpriced_runs=self.unpriced_runs,
        )
