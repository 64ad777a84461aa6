"""Run durations as a log-scale histogram: percentiles in memory that does not grow with
the number of runs.

Each duration falls into the bucket ``floor(log(ms) / log(1 + STEP))``; a percentile is read
back as its bucket's geometric middle, so it is within STEP/2 (0.5 %) of the exact
nearest-rank value — closer than two runs of the same agent ever agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

STEP = 0.01
_LOG_STEP = math.log1p(STEP)
_PER_LOG = 1 / _LOG_STEP
_ZERO = -(10**9)  # the bucket of durations of 0 ms (and of anything negative or not finite)


@dataclass(slots=True)
class LatencyHistogram:
    """Counts of durations per log bucket."""

    counts: dict[int, int] = field(default_factory=dict)
    total: int = 0

    def add(self, duration_ms: float) -> None:
        """Count one run's duration."""
        # 0 < x < inf also refuses NaN (every comparison with NaN is false).
        if 0 < duration_ms < math.inf:
            bucket = math.floor(math.log(duration_ms) * _PER_LOG)
        else:
            bucket = _ZERO
        counts = self.counts
        counts[bucket] = counts.get(bucket, 0) + 1
        self.total += 1

    def percentile(self, fraction: float) -> float:
        """The nearest-rank percentile (``fraction`` in (0, 1]) in ms; 0 without runs."""
        if not self.total:
            return 0.0
        rank = max(1, math.ceil(fraction * self.total))
        seen = 0
        for bucket in sorted(self.counts):
            seen += self.counts[bucket]
            if seen >= rank:
                if bucket == _ZERO:
                    return 0.0
                return math.exp((bucket + 0.5) * _LOG_STEP)
        raise AssertionError("unreachable: the counts add up to total")
