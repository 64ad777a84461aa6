"""Counts and durations of an experiment's runs: the summary's ``results`` block.

The writer keeps one as runs finish; readers rebuild one from traces.jsonl when the
summary on disk is older than the lines (a hard kill).
"""

from __future__ import annotations

import math
from array import array
from dataclasses import dataclass, field

from fluxloop_core.results.models import ResultStats


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

    def add(self, status: str, duration_ms: float) -> None:
        """Count one finished run."""
        if status == "success":
            self.successful += 1
        else:
            self.failed += 1
            if status == "timeout":
                self.timed_out += 1
        self.durations.append(duration_ms)

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
        )
