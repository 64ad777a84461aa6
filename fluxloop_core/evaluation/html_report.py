"""report.html: one self-contained file (inline CSS and SVG, no script, no network asset).

It shows the figures and the gate, a pass-rate chart (each input's pass rate with its
Wilson interval, worst first), a latency histogram, the per-input table with k/n and
intervals, per-check rates, and the failing runs with their reasons.
"""

from __future__ import annotations

from html import escape as _escape

from fluxloop_core.evaluation.aggregate import LATENCY_EDGES_MS, EvaluationSummary, InputResult
from fluxloop_core.evaluation.markup import xml_text

CHART_INPUTS = 60
TABLE_INPUTS = 2000

REPORT_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:2rem;color:#1d1d1f}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ddd;padding:.25rem .5rem;
text-align:left;vertical-align:top}th{background:#f5f5f7}.num{text-align:right}
.pass{color:#1a7f37}.fail{color:#cf222e}.flaky{color:#9a6700}.ungraded{color:#6e7781}
.verdict{font-size:1.1rem;font-weight:600}.reasons li{margin:.2rem 0}svg text{font-size:11px}
.note{color:#9a6700;font-weight:600}
"""


def escape(text: str) -> str:
    """``text`` for HTML: escaped, without characters no document should hold."""
    return _escape(xml_text(text))


def _fmt_ms(value: float) -> str:
    return f"{value / 1000:g}s" if value >= 1000 else f"{value:g}ms"


def latency_svg(bins: tuple[int, ...]) -> str:
    """A bar chart of run counts per latency bin (bins of LATENCY_EDGES_MS)."""
    labels = [f"≤{_fmt_ms(edge)}" for edge in LATENCY_EDGES_MS] + [
        f">{_fmt_ms(LATENCY_EDGES_MS[-1])}"
    ]
    width, height, left, bottom, top_margin = 660, 220, 40, 56, 18
    bar = (width - left) / len(bins)
    top = max(bins) or 1
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="latency histogram">'
    ]
    for index, (count, label) in enumerate(zip(bins, labels, strict=True)):
        h = (height - bottom - top_margin) * count / top
        x = left + index * bar
        y = height - bottom - h
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{y:.1f}" width="{bar - 4:.1f}" height="{h:.1f}" '
            f'fill="#0969da"><title>{escape(label)}: {count} runs</title></rect>'
        )
        if count:
            parts.append(
                f'<text x="{x + bar / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{count}</text>'
            )
        # Slanted, so that sixteen labels fit side by side.
        label_x, label_y = x + bar / 2, height - bottom + 12
        parts.append(
            f'<text x="{label_x:.1f}" y="{label_y}" text-anchor="end" '
            f'transform="rotate(-40 {label_x:.1f} {label_y})">{escape(label)}</text>'
        )
    parts.append(
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" '
        'stroke="#888"/></svg>'
    )
    return "".join(parts)


def pass_rate_svg(inputs: list[InputResult], bar: float | None) -> str:
    """Each input's pass rate as a bar with its 95 % interval as a whisker; ``bar`` (the
    per-input bar, when set) as a dashed line."""
    rows = inputs[:CHART_INPUTS]
    row_height, left, width = 16, 60, 640
    height = row_height * len(rows) + 30
    span = width - left - 24  # room for the "100%" tick label
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="pass rate per input">'
    ]
    for row, item in enumerate(rows):
        y = 10 + row * row_height
        rate = item.interval.estimate
        colour = {"pass": "#1a7f37", "fail": "#cf222e", "flaky": "#bf8700"}.get(item.state, "#888")
        parts.append(
            f'<text x="{left - 6}" y="{y + 11}" text-anchor="end">#{item.index}</text>'
            f'<rect x="{left}" y="{y + 2}" width="{span * rate:.1f}" height="{row_height - 5}" '
            f'fill="{colour}"><title>#{item.index} {escape(item.input[:120])}: '
            f"{item.passed}/{item.graded}</title></rect>"
            f'<line x1="{left + span * item.interval.low:.1f}" y1="{y + 7}" '
            f'x2="{left + span * item.interval.high:.1f}" y2="{y + 7}" stroke="#1d1d1f"/>'
        )
    axis = height - 18
    for tick in (0, 0.25, 0.5, 0.75, 1):
        x = left + span * tick
        parts.append(f'<text x="{x:.1f}" y="{axis + 14}" text-anchor="middle">{tick:.0%}</text>')
    if bar is not None:
        x = left + span * bar
        parts.append(
            f'<line x1="{x:.1f}" y1="5" x2="{x:.1f}" y2="{axis}" stroke="#cf222e" '
            'stroke-dasharray="4 3"/>'
        )
    parts.append("</svg>")
    return "".join(parts)


def table_of(headers: list[str], rows: list[list[str]]) -> str:
    """A table: ``headers`` escaped here, ``rows`` of cells already made by :func:`td`."""
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def td(text: str, cls: str = "") -> str:
    """One escaped cell, with a CSS class when given."""
    attr = f' class="{cls}"' if cls else ""
    return f"<td{attr}>{escape(text)}</td>"


def html_report(summary: EvaluationSummary, experiment: str) -> str:
    """The whole report.html."""
    rate = summary.pass_rate
    ordered = sorted(
        summary.inputs, key=lambda i: (i.passed / i.graded if i.graded else 2.0, i.index)
    )
    verdict = "Gate passed" if summary.gate.passed else "Gate failed"
    reasons = "".join(f"<li>{escape(reason)}</li>" for reason in summary.gate.reasons)
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in summary.notes())
    figures = table_of(
        ["figure", "value"],
        [
            [
                td("pass rate"),
                td(f"{rate.estimate:.1%} (95% CI {rate.low:.1%}–{rate.high:.1%})"),
            ],
            [
                td("runs passed"),
                td(f"{summary.passed_runs} of {summary.graded_runs} graded"),
            ],
            [td("inputs always passing"), td(f"{summary.always_passing_share:.1%}")],
            [td("mean weighted score"), td(f"{summary.mean_score:.3f}")],
            [td("agent errors"), td(str(summary.run_errors))],
            [
                td("grading errors"),
                td(f"{summary.grading_errors} ({summary.ungraded_runs} runs)"),
            ],
        ],
    )
    inputs = table_of(
        ["#", "input", "passed", "95% CI", "state", "errors"],
        [
            [
                td(str(i.index), "num"),
                td(i.input[:300]),
                td(f"{i.passed}/{i.graded}", "num"),
                td(f"{i.interval.low:.0%}–{i.interval.high:.0%}"),
                td(i.state + (" (under the bar)" if i.under_bar else ""), i.state),
                td(str(i.run_errors), "num"),
            ]
            for i in ordered[:TABLE_INPUTS]
        ],
    )
    checks = table_of(
        ["check", "pass rate", "passed", "failed", "grading errors"],
        [
            [
                td(c.name),
                td(f"{c.rate:.1%}", "num"),
                td(str(c.passed), "num"),
                td(str(c.failed), "num"),
                td(str(c.grading_errors), "num"),
            ]
            for c in summary.checks
        ],
    )
    failing = table_of(
        ["run", "input", "why"],
        [
            [
                td(run.run_id),
                td(str(run.input_index), "num"),
                td("; ".join(run.reasons)),
            ]
            for run in summary.failing_runs
        ],
    )
    shown = len(summary.failing_runs)
    more = (
        f"<p>{summary.failing_runs_total - shown} more not shown.</p>"
        if summary.failing_runs_total > shown
        else ""
    )
    title = escape(f"FluxLoop evaluation: {experiment}")
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{title}</title><style>{REPORT_STYLE}</style></head><body>"
        f"<h1>{title}</h1>"
        f'<p class="verdict {"pass" if summary.gate.passed else "fail"}">{verdict}</p>'
        f"{notes}"
        f'<ul class="reasons">{reasons}</ul>{figures}'
        f"<h2>Pass rate per input (worst first, 95% interval)</h2>"
        f"{pass_rate_svg(ordered, summary.gate_spec.min_input_pass_rate)}"
        f"<h2>Latency</h2>{latency_svg(summary.latency_bins)}"
        f"<h2>Inputs</h2>{inputs}<h2>Checks</h2>{checks}"
        f"<h2>Failing runs ({summary.failing_runs_total})</h2>{failing}{more}"
        "</body></html>\n"
    )
