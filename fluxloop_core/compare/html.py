"""compare.html: one self-contained file (inline CSS, no script, no network asset), in the
evaluation report's style: the verdict, the overall figures, and the inputs regressions
first with k/n before and after, the change and its adjusted p-value."""

from __future__ import annotations

from fluxloop_core.compare.analysis import Comparison
from fluxloop_core.compare.text import (
    change_text,
    fraction,
    input_label,
    ms_text,
    p_text,
    ratio_text,
    verdict_line,
)
from fluxloop_core.evaluation.html_report import _STYLE, _table, _td, escape

TABLE_INPUTS = 2000
_STATE_CLASS = {"regressed": "fail", "improved": "pass", "new": "ungraded", "gone": "ungraded"}


def html_report(comparison: Comparison) -> str:
    """The whole compare.html."""
    overall = comparison.overall
    regressed = comparison.has_regression
    figures = _table(
        ["figure", "before", "after", "ratio"],
        [
            [
                _td("pass rate"),
                _td(f"{overall.pass_rate_before:.1%}", "num"),
                _td(f"{overall.pass_rate_after:.1%}", "num"),
                _td(""),
            ],
            [
                _td("latency p50"),
                _td(ms_text(overall.p50_before), "num"),
                _td(ms_text(overall.p50_after), "num"),
                _td(ratio_text(overall.p50_after, overall.p50_before), "num"),
            ],
            [
                _td("latency p95"),
                _td(ms_text(overall.p95_before), "num"),
                _td(ms_text(overall.p95_after), "num"),
                _td(ratio_text(overall.p95_after, overall.p95_before), "num"),
            ],
            [
                _td("outputs changed"),
                _td(f"{overall.outputs_changed} of {overall.matched} inputs"),
                _td(""),
                _td(""),
            ],
        ],
    )
    inputs = _table(
        ["input", "before", "after", "change", "p (worse, Holm)", "state"],
        [
            [
                _td(input_label(item, 300)),
                _td(fraction(item.before), "num"),
                _td(fraction(item.after), "num"),
                _td(change_text(item), "num"),
                _td(p_text(item.p_worse), "num"),
                _td(item.state, _STATE_CLASS.get(item.state, "")),
            ]
            for item in comparison.inputs[:TABLE_INPUTS]
        ],
    )
    more = len(comparison.inputs) - TABLE_INPUTS
    title = escape(f"FluxLoop comparison: {comparison.base.name} → {comparison.candidate.name}")
    verdict = "Regression" if regressed else "No significant regression"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="verdict {"fail" if regressed else "pass"}">{verdict}</p>'
        f"<p>{escape(verdict_line(comparison))}</p>{figures}"
        f"<h2>Inputs (regressions first)</h2>{inputs}"
        + (f"<p>{more} more not shown.</p>" if more > 0 else "")
        + "</body></html>\n"
    )
