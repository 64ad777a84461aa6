"""Small exact statistics for pass/fail outcomes, in the standard library only.

Used by evaluation (how sure is a pass rate) and by comparison (did an input get worse).
Every function is pure and documented with its formula, so a reader can redo the figures by
hand; tests/core/test_statistics.py does exactly that for known cases.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

Z_95 = 1.959963984540054
"""The two-sided 95 % normal quantile."""


@dataclass(frozen=True)
class Interval:
    """An estimate with its lower and upper confidence bounds, all in [0, 1]."""

    estimate: float
    low: float
    high: float


def wilson_interval(successes: float, n: float, z: float = Z_95) -> Interval:
    """The Wilson score interval for ``successes`` out of ``n`` trials.

    With p = k/n:  centre = (p + z²/2n) / (1 + z²/n),
    half-width = z·sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n).
    Unlike p ± z·sqrt(p(1-p)/n) it stays inside [0, 1] and is not empty at 0/n or n/n.
    Fractional counts are allowed (an effective sample size, see clustered_interval).
    With no trials nothing is known: the estimate is 0 and the interval is [0, 1].
    """
    if n <= 0:
        return Interval(0.0, 0.0, 1.0)
    if not 0 <= successes <= n:
        raise ValueError(f"successes {successes} outside [0, {n}]")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At 0/n and n/n the bound is exactly 0 or 1; rounding must not move it.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == n else min(1.0, centre + half)
    return Interval(p, low, high)


def clustered_interval(clusters: Iterable[tuple[int, int]], z: float = Z_95) -> Interval:
    """The pass rate over all runs with an interval that treats each input as a cluster.

    ``clusters`` holds (passes k_i, runs n_i) per input. Iterations of one input are
    correlated (the same question tends to pass or fail every time), so a naive binomial
    interval over all runs is too narrow. Here:

    - the estimate is the ratio p = Σk_i / Σn_i (every run counts once);
    - its cluster-robust variance (the ratio estimator's linearisation with the CR1
      small-sample factor) is  V_c = G/(G-1) · Σ (k_i - p·n_i)² / (Σn_i)²  over the G inputs;
    - the design effect is d = max(1, V_c / (p(1-p)/N)) with N = Σn_i, and the effective
      sample size N/d (Kish);
    - the interval is the Wilson interval of p·N/d successes in N/d trials.

    So the interval is never narrower than the naive Wilson interval over all runs, widens
    as inputs disagree, and stays inside [0, 1]. With fewer than two inputs, or p at 0 or 1
    (no spread to measure), d = 1 and it is the plain Wilson interval.
    """
    counts = [(k, n) for k, n in clusters if n > 0]
    total = sum(n for _, n in counts)
    passed = sum(k for k, _ in counts)
    if total == 0:
        return Interval(0.0, 0.0, 1.0)
    p = passed / total
    groups = len(counts)
    design_effect = 1.0
    if groups >= 2 and 0 < p < 1:
        residuals = math.fsum((k - p * n) ** 2 for k, n in counts)
        robust = groups / (groups - 1) * residuals / (total * total)
        design_effect = max(1.0, robust / (p * (1 - p) / total))
    effective = total / design_effect
    interval = wilson_interval(p * effective, effective, z)
    return Interval(p, interval.low, interval.high)


def log_choose(n: int, k: int) -> float:
    """log C(n, k) via lgamma: relative error ~1e-15 of the value, so a sum of
    hypergeometric terms stays accurate to ~1e-10 for n up to 10⁵ and beyond."""
    if k < 0 or k > n:
        return -math.inf
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def _sum_exp(logs: Sequence[float]) -> float:
    finite = [value for value in logs if value != -math.inf]
    if not finite:
        return 0.0
    top = max(finite)
    return math.exp(top) * math.fsum(math.exp(value - top) for value in finite)


def fisher_worse(base_passed: int, base_runs: int, cand_passed: int, cand_runs: int) -> float:
    """One-sided Fisher exact p-value that the candidate passes less often than the base.

    The 2×2 table is rows base/candidate, columns pass/fail. With its margins fixed, the
    candidate's pass count X is hypergeometric: N = base_runs + cand_runs runs, K =
    base_passed + cand_passed passes, cand_runs drawn:
    P(X = x) = C(K, x)·C(N-K, cand_runs-x) / C(N, cand_runs).
    The p-value is P(X ≤ cand_passed), summed exactly (log terms, one shift) over the
    support max(0, cand_runs-(N-K)) … cand_passed. Equal rates give p near 1/2 or above.
    """
    for name, k, n in (("base", base_passed, base_runs), ("candidate", cand_passed, cand_runs)):
        if n < 0 or not 0 <= k <= n:
            raise ValueError(f"{name}: {k} passes out of {n} runs is not a count")
    total = base_runs + cand_runs
    passes = base_passed + cand_passed
    if base_runs == 0 or cand_runs == 0 or cand_passed >= min(cand_runs, passes):
        return 1.0  # nothing to test, or the whole support: exactly 1, not 1 - rounding
    low = max(0, cand_runs - (total - passes))
    denominator = log_choose(total, cand_runs)
    terms = [
        log_choose(passes, x) + log_choose(total - passes, cand_runs - x) - denominator
        for x in range(low, cand_passed + 1)
    ]
    return min(1.0, _sum_exp(terms))


def binomial_tail(successes: int, n: int, *, at_least: bool) -> float:
    """P(X ≥ successes) (``at_least``) or P(X ≤ successes) for X ~ Binomial(n, 1/2), exact."""
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"{successes} out of {n} is not a count")
    if (successes == 0) if at_least else (successes == n):
        return 1.0
    span = range(successes, n + 1) if at_least else range(0, successes + 1)
    log_half = n * math.log(0.5)
    return min(1.0, _sum_exp([log_choose(n, x) + log_half for x in span]))


McNemarAlternative = Literal["two-sided", "worse", "better"]


def mcnemar_exact(worse: int, better: int, alternative: McNemarAlternative = "two-sided") -> float:
    """The exact McNemar test on paired pass/fail outcomes.

    ``worse`` counts pairs that passed before and fail after, ``better`` the reverse;
    concordant pairs carry no information. Under "no change" each discordant pair is a fair
    coin, so worse ~ Binomial(worse + better, 1/2):
    - "worse":  P(X ≥ worse);  "better": P(X ≤ worse);
    - "two-sided": min(1, 2·min of the two tails).
    No discordant pair gives p = 1.
    """
    if worse < 0 or better < 0:
        raise ValueError("discordant counts cannot be negative")
    n = worse + better
    if n == 0:
        return 1.0
    upper = binomial_tail(worse, n, at_least=True)
    lower = binomial_tail(worse, n, at_least=False)
    if alternative == "worse":
        return upper
    if alternative == "better":
        return lower
    return min(1.0, 2 * min(upper, lower))


def holm_adjust(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjustment, in the input order.

    Sort the m p-values ascending p₍₁₎ ≤ … ≤ p₍ₘ₎; the adjusted value of the i-th is
    max over j ≤ i of min(1, (m - j + 1)·p₍ⱼ₎). Rejecting adjusted values ≤ α controls the
    family-wise error rate at α under any dependence.
    """
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
