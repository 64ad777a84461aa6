"""The statistics against values computed by hand (each computation is in the comment)."""

from __future__ import annotations

import math

import pytest

from fluxloop_core.statistics import (
    Z_95,
    Interval,
    clustered_interval,
    fisher_worse,
    holm_adjust,
    log_choose,
    mcnemar_exact,
    wilson_interval,
)


def test_wilson_known_case() -> None:
    # 8/10, z = 1.96: centre = (0.8 + 1.96²/20) / (1 + 1.96²/10) = 0.99208 / 1.38416 = 0.71674;
    # half = 1.96 · sqrt(0.016 + 1.96²/400) / 1.38416 = 1.96 · 0.16001 / 1.38416 = 0.22658;
    # interval [0.4902, 0.9433] (the textbook value for 8/10).
    interval = wilson_interval(8, 10, 1.96)
    assert interval.estimate == 0.8
    assert interval.low == pytest.approx(0.4902, abs=1e-4)
    assert interval.high == pytest.approx(0.9433, abs=1e-4)


def test_wilson_edges_stay_in_unit_interval() -> None:
    # 0/10: centre = half = (z²/20)/(1+z²/10) → low exactly 0, high = z²/10 / (1+z²/10)
    # = 0.38415/1.38415 = 0.2775.
    zero = wilson_interval(0, 10)
    assert zero.low == 0.0
    assert zero.high == pytest.approx(0.2775, abs=1e-4)
    full = wilson_interval(10, 10)
    assert full.high == 1.0
    assert full.low == pytest.approx(1 - 0.2775, abs=1e-4)
    assert wilson_interval(0, 0) == Interval(0.0, 0.0, 1.0)


def test_wilson_other_z_is_wider() -> None:
    # z = 2.576 (99 %) must contain the 95 % interval.
    narrow, wide = wilson_interval(30, 50), wilson_interval(30, 50, 2.576)
    assert wide.low < narrow.low < 0.6 < narrow.high < wide.high


def test_wilson_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        wilson_interval(11, 10)


def test_clustered_interval_two_opposite_inputs() -> None:
    # Input A 10/10, input B 0/10: p = 0.5, N = 20, G = 2.
    # residuals 10 - 5 = 5 and 0 - 5 = -5 → Σr² = 50; V_c = 2/1 · 50 / 400 = 0.25;
    # naive variance 0.25/20 = 0.0125 → design effect 20 → effective sample 1 run.
    # Wilson(0.5 of 1): centre 0.5, half = z·sqrt(0.25 + z²/4)/(1 + z²)
    # = 1.95996 · 1.10018 / 4.84146 = 0.44538 → [0.0546, 0.9454].
    interval = clustered_interval([(10, 10), (0, 10)])
    assert interval.estimate == 0.5
    assert interval.low == pytest.approx(0.05462, abs=1e-4)
    assert interval.high == pytest.approx(0.94538, abs=1e-4)
    # The naive binomial interval over 20 runs is far narrower.
    naive = wilson_interval(10, 20)
    assert naive.high - naive.low < (interval.high - interval.low) / 2


def test_clustered_interval_is_naive_when_inputs_agree() -> None:
    # Four inputs of 5/10 each: every residual is 0 → design effect clamps to 1.
    assert clustered_interval([(5, 10)] * 4) == wilson_interval(20, 40)
    # One input only: nothing to cluster → plain Wilson; all passing → plain Wilson.
    assert clustered_interval([(3, 10)]) == wilson_interval(3, 10)
    assert clustered_interval([(10, 10), (10, 10)]) == wilson_interval(20, 20)
    assert clustered_interval([]) == wilson_interval(0, 0)


def test_clustered_interval_never_narrower_than_naive() -> None:
    clusters = [(9, 10), (10, 10), (2, 10), (7, 10), (10, 10)]
    clustered = clustered_interval(clusters)
    naive = wilson_interval(38, 50)
    assert clustered.estimate == naive.estimate == 0.76
    assert clustered.low < naive.low and clustered.high > naive.high


def test_fisher_issue_15_case() -> None:
    # Base 10/10, candidate 5/10: N = 20 runs, K = 15 passes, 10 drawn for the candidate.
    # The candidate cannot pass fewer than 10 - 5 = 5, so P(X ≤ 5) = P(X = 5)
    # = C(15,5)·C(5,5)/C(20,10) = 3003 · 1 / 184756 = 0.0162539...
    p = fisher_worse(10, 10, 5, 10)
    assert p == pytest.approx(3003 / 184756, rel=1e-12)
    assert round(p, 4) == 0.0163


def test_fisher_two_term_case() -> None:
    # Base 3/4, candidate 1/4: N = 8, K = 4, 4 drawn; support 0..4.
    # P(X ≤ 1) = [C(4,0)C(4,4) + C(4,1)C(4,3)] / C(8,4) = (1 + 16)/70 = 0.242857...
    assert fisher_worse(3, 4, 1, 4) == pytest.approx(17 / 70, rel=1e-12)


def test_fisher_no_change_and_improvement_are_not_significant() -> None:
    # Same rates: P(X ≤ observed) includes the mode, so p ≥ 1/2 here (5/10 vs 5/10:
    # Σ_{x≤5} C(10,x)C(10,10-x)/C(20,10) = (184756/2 + 63504/2)/184756 = 0.6719).
    assert fisher_worse(5, 10, 5, 10) == pytest.approx((184756 + 63504) / 2 / 184756)
    assert fisher_worse(0, 10, 10, 10) == 1.0
    assert fisher_worse(10, 10, 10, 10) == 1.0
    assert fisher_worse(0, 0, 3, 10) == 1.0


def test_fisher_large_counts_are_exact() -> None:
    # n = 100,000 per side, 50 % vs 49 %: the normal approximation gives
    # z = 0.01 / sqrt(0.495·0.505·2/100000) = 4.473 → p ≈ Φ(-4.473) ≈ 3.9e-6; the exact
    # one-sided value must be close to it and be a probability.
    p = fisher_worse(50_000, 100_000, 49_000, 100_000)
    assert 2e-6 < p < 8e-6
    # A sum over 100,001 terms with equal rates stays a probability and is about one half.
    assert 0.5 < fisher_worse(50_000, 100_000, 50_000, 100_000) < 0.51


def test_log_choose_matches_math_comb() -> None:
    for n, k in [(20, 10), (15, 5), (100, 3), (1000, 500)]:
        assert log_choose(n, k) == pytest.approx(math.log(math.comb(n, k)), rel=1e-13)
    assert log_choose(5, 6) == -math.inf


def test_fisher_rejects_impossible_counts() -> None:
    with pytest.raises(ValueError):
        fisher_worse(11, 10, 0, 10)


def test_mcnemar_known_discordant_counts() -> None:
    # 8 inputs got worse, 1 better: n = 9; P(X ≥ 8) = (C(9,8) + C(9,9))/2⁹ = 10/512.
    assert mcnemar_exact(8, 1, "worse") == pytest.approx(10 / 512, rel=1e-12)
    assert mcnemar_exact(8, 1) == pytest.approx(20 / 512, rel=1e-12)
    # "better": P(X ≤ 8) = 1 - 1/512.
    assert mcnemar_exact(8, 1, "better") == pytest.approx(511 / 512, rel=1e-12)
    # 0 worse, 5 better: P(X ≤ 0) = 1/32; two-sided 2/32.
    assert mcnemar_exact(0, 5, "better") == pytest.approx(1 / 32)
    assert mcnemar_exact(0, 5) == pytest.approx(2 / 32)
    # Balanced: two-sided capped at 1; no discordant pair at all: 1.
    assert mcnemar_exact(3, 3) == 1.0
    assert mcnemar_exact(0, 0, "worse") == 1.0


def test_holm_known_list() -> None:
    # p = [0.01, 0.04, 0.03, 0.005], m = 4. Ascending: 0.005·4 = 0.02, 0.01·3 = 0.03,
    # 0.03·2 = 0.06, 0.04·1 = 0.04 → running max 0.06. Back in input order:
    assert holm_adjust([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    # Capped at 1; empty list stays empty; one value is unchanged.
    assert holm_adjust([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm_adjust([]) == []
    assert holm_adjust([0.2]) == [0.2]


def test_z_95_is_the_normal_quantile() -> None:
    # Φ(z) = (1 + erf(z/√2))/2 must be 0.975.
    assert (1 + math.erf(Z_95 / math.sqrt(2))) / 2 == pytest.approx(0.975, abs=1e-12)
