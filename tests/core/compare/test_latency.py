from __future__ import annotations

import math

import pytest

from fluxloop_core.compare.latency import LatencyHistogram


def test_percentiles_are_within_half_a_percent_of_nearest_rank() -> None:
    histogram = LatencyHistogram()
    values = [0.37 * (1.07**i) for i in range(1000)]
    for value in values:
        histogram.add(value)
    for fraction in (0.5, 0.95, 1.0):
        exact = values[math.ceil(fraction * len(values)) - 1]
        assert histogram.percentile(fraction) == pytest.approx(exact, rel=0.005)


def test_zero_and_odd_durations_count_as_zero() -> None:
    histogram = LatencyHistogram()
    for value in (0.0, -1.0, float("nan"), 5.0):
        histogram.add(value)
    assert histogram.percentile(0.5) == 0.0
    assert histogram.percentile(1.0) == pytest.approx(5.0, rel=0.005)
    assert LatencyHistogram().percentile(0.5) == 0.0


def test_memory_does_not_grow_with_runs() -> None:
    histogram = LatencyHistogram()
    for i in range(100_000):
        histogram.add(1 + i % 1000)
    assert len(histogram.counts) < 1000  # buckets, not runs
