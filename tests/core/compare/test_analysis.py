"""Comparisons with answers computed by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from compare_helpers import write_experiment

from fluxloop_core.compare.analysis import compare_experiments, paired_change
from fluxloop_core.errors import UsageError

# C(n, k) by hand, as in the issue: base 10/10 against candidate 5/10.
ISSUE_P = math.comb(15, 5) / math.comb(20, 10)  # 3003 / 184756


@pytest.mark.parametrize("evaluated", [False, True])
def test_ten_of_ten_against_five_of_ten_is_the_issues_p(tmp_path: Path, evaluated: bool) -> None:
    base = write_experiment(tmp_path / "a", {"q": [True] * 10}, evaluated=evaluated)
    cand = write_experiment(tmp_path / "b", {"q": [True] * 5 + [False] * 5}, evaluated=evaluated)
    result = compare_experiments(base, cand)
    (item,) = result.inputs
    assert pytest.approx(0.016254, abs=1e-6) == ISSUE_P
    assert item.p_worse == pytest.approx(ISSUE_P, rel=1e-9)
    assert (item.before.passed, item.before.counted) == (10, 10)  # type: ignore[union-attr]
    assert (item.after.passed, item.after.counted) == (5, 10)  # type: ignore[union-attr]
    assert item.state == "regressed"
    assert item.change == pytest.approx(-0.5)
    assert result.outcome == ("verdict" if evaluated else "success")
    assert result.has_regression
    # At a stricter level the same drop is not significant.
    assert compare_experiments(base, cand, alpha=0.01).inputs[0].state == "unchanged"


def test_holm_adjusts_across_inputs_and_regressions_come_first(tmp_path: Path) -> None:
    everything = [True] * 10
    base = write_experiment(tmp_path / "a", {"same": everything, "a": everything, "b": everything})
    cand = write_experiment(
        tmp_path / "b",
        {"same": [True] * 10, "b": [True] * 7 + [False] * 3, "a": [True] * 5 + [False] * 5},
    )
    p_b = math.comb(17, 7) / math.comb(20, 10)  # 7/10 after 10/10: one table, one term
    result = compare_experiments(base, cand)
    by_text = {item.key.text: item for item in result.inputs}
    # Sorted raw p: a (×3), b (×2), same (×1); each adjusted value at least the one before.
    assert by_text["a"].p_worse == pytest.approx(3 * ISSUE_P)  # 0.0488: still under 0.05
    assert by_text["b"].p_worse == pytest.approx(2 * p_b)
    assert by_text["same"].p_worse == pytest.approx(1.0)
    assert [item.key.text for item in result.inputs] == ["a", "b", "same"]
    assert [item.state for item in result.inputs] == ["regressed", "unchanged", "unchanged"]


def test_one_iteration_each_is_mcnemar_on_the_discordant_inputs(tmp_path: Path) -> None:
    before = {f"q{i}": [True] for i in range(7)} | {"up": [False], "c1": [True], "c2": [False]}
    after = {f"q{i}": [False] for i in range(7)} | {"up": [True], "c1": [True], "c2": [False]}
    result = compare_experiments(
        write_experiment(tmp_path / "a", before), write_experiment(tmp_path / "b", after)
    )
    overall = result.overall
    assert (overall.inputs_worse, overall.inputs_better, overall.test) == (7, 1, "mcnemar")
    # P(X ≥ 7), X ~ Binomial(8, 1/2) = (C(8,7) + C(8,8)) / 2^8
    assert overall.p_worse == pytest.approx(9 / 256)
    assert result.overall_worse and result.has_regression
    # No single input can be significant with one run a side.
    assert result.count("regressed") == 0
    # Paired change: seven -1, one +1, two 0 → mean -0.6, s² = 4.4 / 9.
    half = 1.959963984540054 * math.sqrt(4.4 / 9 / 10)
    assert overall.change.estimate == pytest.approx(-0.6)
    assert overall.change.low == -1.0  # -0.6 - 0.433 clamped
    assert overall.change.high == pytest.approx(-0.6 + half)
    assert (overall.pass_rate_before, overall.pass_rate_after) == (0.8, 0.2)


def test_an_unchanged_pair_has_no_regression(tmp_path: Path) -> None:
    outcomes = {"a": [True, False, True], "b": [True, True, True]}
    result = compare_experiments(
        write_experiment(tmp_path / "a", outcomes), write_experiment(tmp_path / "b", outcomes)
    )
    assert [item.state for item in result.inputs] == ["unchanged", "unchanged"]
    assert not result.has_regression
    assert result.overall.p_worse == 1.0
    assert result.overall.outputs_changed == 0
    assert result.overall.change.estimate == 0.0


def test_an_improvement_is_marked_and_listed_after_regressions(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "a", {"up": [False] * 10, "down": [True] * 10})
    cand = write_experiment(tmp_path / "b", {"up": [True] * 10, "down": [False] * 10})
    result = compare_experiments(base, cand)
    assert [(i.key.text, i.state) for i in result.inputs] == [
        ("down", "regressed"),
        ("up", "improved"),
    ]
    # p of 10/10 → 0/10 (one term): 1 / C(20, 10), doubled by Holm over two inputs.
    assert result.inputs[0].p_worse == pytest.approx(2 / math.comb(20, 10))


def test_inputs_of_one_side_are_new_or_gone(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "a", {"kept": [True], "dropped": [True]})
    cand = write_experiment(tmp_path / "b", {"kept": [True], "added": [False]})
    result = compare_experiments(base, cand)
    states = {item.key.text: item.state for item in result.inputs}
    assert states == {"kept": "unchanged", "dropped": "gone", "added": "new"}
    assert result.overall.matched == 1
    assert not result.has_regression


def test_latency_percentiles_and_ratio(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "a", {"q": [True] * 20}, durations=range(1, 21))
    cand = write_experiment(
        tmp_path / "b", {"q": [True] * 20}, durations=[2.0 * d for d in range(1, 21)]
    )
    overall = compare_experiments(base, cand).overall
    # Nearest rank of 1..20 ms: p50 the 10th value, p95 the 19th; within 0.5 %.
    assert overall.p50_before == pytest.approx(10, rel=0.005)
    assert overall.p95_before == pytest.approx(19, rel=0.005)
    assert overall.p50_after == pytest.approx(20, rel=0.005)
    assert overall.ratio(overall.p95_after, overall.p95_before) == pytest.approx(2, rel=0.01)


def test_outputs_that_changed_text_are_counted(tmp_path: Path) -> None:
    outcomes = {"a": [True, True], "b": [True, True], "c": [True]}
    base = write_experiment(tmp_path / "a", outcomes)
    cand = write_experiment(tmp_path / "b", outcomes, outputs={"b": "a new answer"})
    result = compare_experiments(base, cand)
    assert result.overall.outputs_changed == 1
    assert [i.key.text for i in result.inputs if i.output_changed] == ["b"]


def test_metadata_ids_keep_inputs_of_one_text_apart(tmp_path: Path) -> None:
    # The same text under two ids is two inputs; an id on one side only still matches.
    meta_a = {"q": {"id": "one"}}
    base = write_experiment(tmp_path / "a", {"q": [True] * 10}, metadata=meta_a)
    other = write_experiment(tmp_path / "b", {"q": [False] * 10}, metadata={"q": {"id": "two"}})
    states = sorted(item.state for item in compare_experiments(base, other).inputs)
    assert states == ["gone", "new"]
    plain = write_experiment(tmp_path / "c", {"q": [False] * 10})
    assert [i.state for i in compare_experiments(base, plain).inputs] == ["regressed"]


def test_paired_change_with_fewer_than_two_inputs_is_open() -> None:
    assert paired_change([]).low == -1.0
    single = paired_change([-0.5])
    assert (single.estimate, single.low, single.high) == (-0.5, -1.0, 1.0)


def test_same_folder_twice_and_bad_alpha_are_usage_errors(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"q": [True]})
    with pytest.raises(UsageError, match="same experiment"):
        compare_experiments(folder, tmp_path / "a" / ".." / "a")
    with pytest.raises(UsageError, match="alpha"):
        compare_experiments(folder, write_experiment(tmp_path / "b", {"q": [True]}), alpha=1.5)
