"""Per-input changes between two experiments, their significance, and the overall change.

For each input both experiments ran, k/n before and after (passes among runs with an
outcome) and two one-sided Fisher exact tests: "worse" (the candidate passes less often)
and "better". Each family of p-values is adjusted with Holm's method across the matched
inputs; an input is ``regressed`` when its adjusted "worse" p is at most alpha,
``improved`` when its adjusted "better" p is, else ``unchanged``. Inputs of one side only
are ``new`` or ``gone``.

Overall, over the matched inputs: the mean per-input change in pass rate with a 95 %
interval (paired: each input is its own control, so the spread is that of the per-input
differences), and an exact sign test of "worse": inputs that went down against inputs that
went up, each a fair coin under no change. With one iteration per input every change is
pass→fail or fail→pass, and that test is exactly McNemar's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fluxloop_core.compare.matching import InputKey, match_inputs
from fluxloop_core.compare.tallies import (
    ExperimentTally,
    InputTally,
    Outcome,
    is_evaluated,
    tally_experiment,
)
from fluxloop_core.errors import UsageError
from fluxloop_core.statistics import Z_95, Interval, fisher_worse, holm_adjust, mcnemar_exact

State = Literal["regressed", "improved", "unchanged", "new", "gone"]
STATE_ORDER: dict[State, int] = {"regressed": 0, "improved": 1, "unchanged": 2, "new": 3, "gone": 4}
DEFAULT_ALPHA = 0.05


@dataclass(frozen=True)
class InputChange:
    """One input across the two experiments (``before``/``after`` None on the side that
    does not have it)."""

    key: InputKey
    before: InputTally | None
    after: InputTally | None
    p_worse: float = 1.0
    """One-sided Fisher p of "worse", Holm-adjusted across the matched inputs."""
    p_better: float = 1.0
    p_worse_raw: float = 1.0
    state: State = "unchanged"
    output_changed: bool = False

    @property
    def change(self) -> float:
        """Pass rate after minus before (0 unless both sides have counted runs)."""
        if self.before is None or self.after is None:
            return 0.0
        if not self.before.counted or not self.after.counted:
            return 0.0
        return self.after.rate - self.before.rate

    def to_json(self) -> dict[str, Any]:
        """The input as ``compare --json`` prints it."""

        def side(tally: InputTally | None) -> dict[str, int] | None:
            if tally is None:
                return None
            return {"passed": tally.passed, "counted": tally.counted, "runs": tally.runs}

        return {
            "input": self.key.text,
            "id": self.key.id,
            "state": self.state,
            "before": side(self.before),
            "after": side(self.after),
            "change": round(self.change, 6),
            "p_worse": self.p_worse,
            "p_worse_unadjusted": self.p_worse_raw,
            "p_better": self.p_better,
            "output_changed": self.output_changed,
        }


@dataclass(frozen=True)
class Overall:
    """The change over all matched inputs."""

    matched: int
    change: Interval
    """Mean per-input change in pass rate, with its 95 % interval (in [-1, 1])."""
    inputs_worse: int
    inputs_better: int
    p_worse: float
    """Exact one-sided sign test (McNemar's with one iteration per input)."""
    test: Literal["mcnemar", "sign"]
    pass_rate_before: float
    pass_rate_after: float
    p50_before: float
    p50_after: float
    p95_before: float
    p95_after: float
    outputs_changed: int

    @staticmethod
    def ratio(after: float, before: float) -> float | None:
        """after / before, None when before is 0."""
        return after / before if before > 0 else None

    def to_json(self) -> dict[str, Any]:
        """The overall figures as ``compare --json`` prints them."""
        return {
            "matched_inputs": self.matched,
            "change": round(self.change.estimate, 6),
            "change_low": round(self.change.low, 6),
            "change_high": round(self.change.high, 6),
            "inputs_worse": self.inputs_worse,
            "inputs_better": self.inputs_better,
            "p_worse": self.p_worse,
            "test": self.test,
            "pass_rate_before": round(self.pass_rate_before, 6),
            "pass_rate_after": round(self.pass_rate_after, 6),
            "latency_ms": {
                "p50_before": round(self.p50_before, 3),
                "p50_after": round(self.p50_after, 3),
                "p50_ratio": _rounded(self.ratio(self.p50_after, self.p50_before)),
                "p95_before": round(self.p95_before, 3),
                "p95_after": round(self.p95_after, 3),
                "p95_ratio": _rounded(self.ratio(self.p95_after, self.p95_before)),
            },
            "outputs_changed": self.outputs_changed,
        }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Comparison:
    """Two experiments compared; ``inputs`` regressions first, then improvements."""

    base: Path
    candidate: Path
    alpha: float
    outcome: Outcome
    inputs: list[InputChange]
    overall: Overall

    @property
    def regressed(self) -> list[InputChange]:
        """The inputs that got significantly worse."""
        return [item for item in self.inputs if item.state == "regressed"]

    @property
    def overall_worse(self) -> bool:
        """Whether the overall change is significantly negative."""
        return self.overall.p_worse <= self.alpha

    @property
    def has_regression(self) -> bool:
        """What ``--fail-on-regression`` fails on."""
        return bool(self.regressed) or self.overall_worse

    def count(self, state: State) -> int:
        """How many inputs are in ``state``."""
        return sum(1 for item in self.inputs if item.state == state)

    def to_json(self) -> dict[str, Any]:
        """``compare --json``."""
        return {
            "base": str(self.base),
            "candidate": str(self.candidate),
            "alpha": self.alpha,
            "outcome": self.outcome,
            "regression": self.has_regression,
            "counts": {state: self.count(state) for state in STATE_ORDER},
            "overall": self.overall.to_json(),
            "inputs": [item.to_json() for item in self.inputs],
        }


def paired_change(differences: list[float], z: float = Z_95) -> Interval:
    """The mean of paired differences with its normal interval mean ± z·s/√G (s the
    sample standard deviation of the G differences), clamped to [-1, 1]. Fewer than two
    differences leave the whole range open."""
    count = len(differences)
    if count == 0:
        return Interval(0.0, -1.0, 1.0)
    mean = math.fsum(differences) / count
    if count < 2:
        return Interval(mean, -1.0, 1.0)
    variance = math.fsum((d - mean) ** 2 for d in differences) / (count - 1)
    half = z * math.sqrt(variance / count)
    return Interval(mean, max(-1.0, mean - half), min(1.0, mean + half))


def _sort_key(item: InputChange) -> tuple[int, float, str]:
    # Within a state the largest drop first; among improvements the largest gain first.
    change = -item.change if item.state == "improved" else item.change
    return (STATE_ORDER[item.state], change, item.key.text)


def _pooled(tallies: list[InputTally]) -> float:
    counted = sum(t.counted for t in tallies)
    return sum(t.passed for t in tallies) / counted if counted else 0.0


def compare_tallies(base: ExperimentTally, candidate: ExperimentTally, alpha: float) -> Comparison:
    """Compare two tallied experiments (see the module's docstring)."""
    matched = match_inputs(base.inputs, candidate.inputs)
    # Only inputs with counted runs on both sides take part in the tests.
    tested = [(b, c) for b, c in matched.pairs if b.counted and c.counted]
    worse_raw = [fisher_worse(b.passed, b.counted, c.passed, c.counted) for b, c in tested]
    better_raw = [fisher_worse(c.passed, c.counted, b.passed, b.counted) for b, c in tested]
    worse = holm_adjust(worse_raw)
    better = holm_adjust(better_raw)
    changes: list[InputChange] = []
    for (b, c), p_worse, p_better, raw in zip(tested, worse, better, worse_raw, strict=True):
        state: State = (
            "regressed" if p_worse <= alpha else "improved" if p_better <= alpha else "unchanged"
        )
        changes.append(
            InputChange(c.key, b, c, p_worse, p_better, raw, state, b.digest != c.digest)
        )
    tested_ids = {id(c) for _, c in tested}
    for b, c in matched.pairs:
        if id(c) not in tested_ids:  # no run with an outcome on one side: nothing to test
            changes.append(InputChange(c.key, b, c, output_changed=b.digest != c.digest))
    changes += [InputChange(t.key, t, None, state="gone") for t in matched.only_base]
    changes += [InputChange(t.key, None, t, state="new") for t in matched.only_candidate]
    changes.sort(key=_sort_key)
    differences = [c.rate - b.rate for b, c in tested]
    down = sum(1 for d in differences if d < 0)
    up = sum(1 for d in differences if d > 0)
    one_each = all(b.counted == 1 and c.counted == 1 for b, c in tested)
    overall = Overall(
        matched=len(matched.pairs),
        change=paired_change(differences),
        inputs_worse=down,
        inputs_better=up,
        p_worse=mcnemar_exact(down, up, "worse"),
        test="mcnemar" if one_each and tested else "sign",
        pass_rate_before=_pooled([b for b, _ in tested]),
        pass_rate_after=_pooled([c for _, c in tested]),
        p50_before=base.latency.percentile(0.5),
        p50_after=candidate.latency.percentile(0.5),
        p95_before=base.latency.percentile(0.95),
        p95_after=candidate.latency.percentile(0.95),
        outputs_changed=sum(1 for b, c in matched.pairs if b.digest != c.digest),
    )
    return Comparison(base.folder, candidate.folder, alpha, base.outcome, changes, overall)


def compare_experiments(base: Path, candidate: Path, alpha: float = DEFAULT_ALPHA) -> Comparison:
    """Compare the experiment folders ``base`` and ``candidate``: verdicts when both were
    evaluated, else success. A UsageError for a folder that is no experiment, or the same
    folder twice."""
    if not 0 < alpha < 1:
        raise UsageError(f"alpha must be between 0 and 1, got {alpha}")
    if base.resolve() == candidate.resolve():
        raise UsageError(
            "BASE and CAND are the same experiment",
            file=base,
            hint="Compare two different experiment folders (leave both out to compare the "
            "project's latest two).",
        )
    outcome: Outcome = "verdict" if is_evaluated(base) and is_evaluated(candidate) else "success"
    return compare_tallies(
        tally_experiment(base, outcome), tally_experiment(candidate, outcome), alpha
    )
