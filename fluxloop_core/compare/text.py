"""The comparison's figures as short text, shared by its reports and front ends."""

from __future__ import annotations

from fluxloop_core.compare.analysis import Comparison, InputChange, Overall
from fluxloop_core.compare.tallies import InputTally
from fluxloop_core.results.rows import clip


def fraction(tally: InputTally | None) -> str:
    """``k/n`` of an input's side, ``-`` when the side does not have the input."""
    return "-" if tally is None else f"{tally.passed}/{tally.counted}"


def p_text(value: float) -> str:
    """A p-value for people: four decimals, ``<0.0001`` below."""
    return "<0.0001" if value < 0.0001 else f"{value:.4f}"


def ratio_text(after: float, before: float) -> str:
    """``×1.23`` (after / before), ``-`` when before is 0."""
    ratio = Overall.ratio(after, before)
    return "-" if ratio is None else f"×{ratio:.2f}"


def input_label(item: InputChange, width: int = 60) -> str:
    """The input's text on one clipped line, with its id when it has one."""
    text = clip(item.key.text, width)
    return f"{text} [id {item.key.id}]" if item.key.id is not None else text


def verdict_line(comparison: Comparison) -> str:
    """One sentence: regressed or not, and the overall change."""
    overall = comparison.overall
    change = overall.change
    counts = (
        f"{comparison.count('regressed')} regressed, {comparison.count('improved')} improved, "
        f"{comparison.count('unchanged')} unchanged, {comparison.count('new')} new, "
        f"{comparison.count('gone')} gone"
    )
    return (
        f"{counts}; pass rate {overall.pass_rate_before:.1%} → {overall.pass_rate_after:.1%} "
        f"(paired change {change.estimate:+.1%}, 95% CI {change.low:+.1%} to {change.high:+.1%}; "
        f"{overall.test} p(worse) = {p_text(overall.p_worse)})"
    )


def ms_text(value: float) -> str:
    """A duration in ms with enough digits to tell small ones apart (``0.042 ms``)."""
    return f"{value:.1f} ms" if value >= 10 else f"{value:.3g} ms"


def change_text(item: InputChange) -> str:
    """The change in pass rate (``-50%``), ``-`` when one side does not have the input."""
    return "-" if item.before is None or item.after is None else f"{item.change:+.0%}"
