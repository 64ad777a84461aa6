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
from fluxloop_core.evaluation.html_report import REPORT_STYLE, escape, table_of, td

TABLE_INPUTS = 2000
_STATE_CLASS = {"regressed": "fail", "improved": "pass", "new": "ungraded", "gone": "ungraded"}


def html_report(comparison: Comparison) -> str:
    """The whole compare.html."""
    overall = comparison.overall
    regressed = comparison.has_regression
    figures = table_of(
        ["figure", "before", "after", "ratio"],
        [
            [
                td("pass rate"),
                td(f"{overall.pass_rate_before:.1%}", "num"),
                td(f"{overall.pass_rate_after:.1%}", "num"),
                td(""),
            ],
            [
                td("latency p50"),
                td(ms_text(overall.p50_before), "num"),
                td(ms_text(overall.p50_after), "num"),
                td(ratio_text(overall.p50_after, overall.p50_before), "num"),
            ],
            [
                td("latency p95"),
                td(ms_text(overall.p95_before), "num"),
                td(ms_text(overall.p95_after), "num"),
                td(ratio_text(overall.p95_after, overall.p95_before), "num"),
            ],
            [
                td("outputs changed"),
                td(f"{overall.outputs_changed} of {overall.matched} inputs"),
                td(""),
                td(""),
            ],
        ],
    )
    inputs = table_of(
        ["input", "before", "after", "change", "p (worse, Holm)", "state"],
        [
            [
                td(input_label(item, 300)),
                td(fraction(item.before), "num"),
                td(fraction(item.after), "num"),
                td(change_text(item), "num"),
                td(p_text(item.p_worse), "num"),
                td(item.state, _STATE_CLASS.get(item.state, "")),
            ]
            for item in comparison.inputs[:TABLE_INPUTS]
        ],
    )
    more = len(comparison.inputs) - TABLE_INPUTS
    title = escape(f"FluxLoop comparison: {comparison.base.name} → {comparison.candidate.name}")
    verdict = "Regression" if regressed else "No significant regression"
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{REPORT_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="verdict {"fail" if regressed else "pass"}">{verdict}</p>'
        f"<p>{escape(verdict_line(comparison))}</p>{figures}"
        f"<h2>Inputs (regressions first)</h2>{inputs}"
        + (f"<p>{more} more not shown.</p>" if more > 0 else "")
        + "</body></html>\n"
    )
