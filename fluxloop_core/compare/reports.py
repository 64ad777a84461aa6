"""The comparison's reports, written into the candidate's folder: compare.md,
compare.html (html.py) and compare-junit.xml — one testcase per input, a failure when it
regressed. Text goes through the evaluation reports' rules (evaluation/markup.py: no
character XML 1.0 cannot hold, UTF-8 safe) and every file is written atomically.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from xml.etree import ElementTree as ET

from fluxloop_core.compare.analysis import Comparison
from fluxloop_core.compare.html import html_report
from fluxloop_core.compare.text import (
    change_text,
    fraction,
    input_label,
    ms_text,
    p_text,
    ratio_text,
    verdict_line,
)
from fluxloop_core.evaluation.markup import utf8_safe, xml_text
from fluxloop_core.evaluation.reports import md_cell
from fluxloop_core.files import write_atomic

COMPARE_REPORTS: dict[str, str] = {
    "md": "compare.md",
    "html": "compare.html",
    "junit": "compare-junit.xml",
}
"""``--report`` names and the files they write into the candidate's folder."""

MARKDOWN_ROWS = 50


def markdown_report(comparison: Comparison) -> str:
    """compare.md: the verdict, the overall figures, the inputs (regressions first)."""
    overall = comparison.overall
    base, candidate = comparison.base.name, comparison.candidate.name
    verdict = "❌ regression" if comparison.has_regression else "✅ no significant regression"
    measure = "evaluation verdicts" if comparison.outcome == "verdict" else "run success"
    lines = [
        f"## FluxLoop comparison: {md_cell(base)} → {md_cell(candidate)}",
        "",
        f"**{verdict}** — {md_cell(verdict_line(comparison), 1000)}",
        "",
        f"Outcome: {measure}; α = {comparison.alpha} (Holm-adjusted across inputs).",
        "",
        "| figure | before | after | ratio |",
        "|---|---|---|---|",
        f"| pass rate | {overall.pass_rate_before:.1%} | {overall.pass_rate_after:.1%} | |",
        f"| latency p50 | {ms_text(overall.p50_before)} | {ms_text(overall.p50_after)} | "
        f"{ratio_text(overall.p50_after, overall.p50_before)} |",
        f"| latency p95 | {ms_text(overall.p95_before)} | {ms_text(overall.p95_after)} | "
        f"{ratio_text(overall.p95_after, overall.p95_before)} |",
        f"| inputs matched | {overall.matched} | | |",
        f"| outputs changed | {overall.outputs_changed} of {overall.matched} inputs | | |",
        "",
        "### Inputs (regressions first)",
        "",
        "| input | before | after | change | p (worse, adj.) | state |",
        "|---|---|---|---|---|---|",
    ]
    for item in comparison.inputs[:MARKDOWN_ROWS]:
        mark = " ⚠" if item.state == "regressed" else ""
        lines.append(
            f"| {md_cell(input_label(item))} | {fraction(item.before)} | {fraction(item.after)} | "
            f"{change_text(item)} | {p_text(item.p_worse)} | {item.state}{mark} |"
        )
    if len(comparison.inputs) > MARKDOWN_ROWS:
        lines.append(f"| … {len(comparison.inputs) - MARKDOWN_ROWS} more inputs | | | | | |")
    return "\n".join(lines) + "\n"


def junit_xml(comparison: Comparison) -> str:
    """compare-junit.xml: one testcase per input, ``failure`` when it regressed,
    ``skipped`` when only one side has it."""
    name = xml_text(f"{comparison.base.name} -> {comparison.candidate.name}")
    failures = comparison.count("regressed")
    skipped = comparison.count("new") + comparison.count("gone")
    counts = {
        "tests": str(len(comparison.inputs)),
        "failures": str(failures),
        "errors": "0",
        "skipped": str(skipped),
    }
    totals = {key: value for key, value in counts.items() if key != "skipped"}
    root = ET.Element("testsuites", {"name": "fluxloop comparison", **totals})
    suite = ET.SubElement(root, "testsuite", {"name": name, **counts})
    properties = ET.SubElement(suite, "properties")
    overall = comparison.overall
    for key, value in (
        ("alpha", str(comparison.alpha)),
        ("change", f"{overall.change.estimate:.4f}"),
        ("change_low", f"{overall.change.low:.4f}"),
        ("change_high", f"{overall.change.high:.4f}"),
        ("p_worse", f"{overall.p_worse:.6f}"),
        ("regression", "yes" if comparison.has_regression else "no"),
    ):
        ET.SubElement(properties, "property", {"name": key, "value": value})
    for item in comparison.inputs:
        case = ET.SubElement(
            suite, "testcase", {"name": xml_text(input_label(item, 120)), "classname": name}
        )
        figure = f"{fraction(item.before)} → {fraction(item.after)}"
        if item.state == "regressed":
            ET.SubElement(
                case,
                "failure",
                {
                    "message": f"regressed: {figure}, p = {p_text(item.p_worse)} (Holm-adjusted)",
                    "type": "Regression",
                },
            ).text = xml_text(item.key.text)
        elif item.state in ("new", "gone"):
            where = "candidate" if item.state == "new" else "base"
            ET.SubElement(case, "skipped", {"message": f"{item.state}: only in the {where}"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_compare_reports(comparison: Comparison, formats: Iterable[str]) -> list[Path]:
    """Write each report of ``formats`` (keys of COMPARE_REPORTS) atomically into the
    candidate's folder; returns the paths written."""
    renderers = {"md": markdown_report, "html": html_report, "junit": junit_xml}
    written = []
    for name in formats:
        path = comparison.candidate / COMPARE_REPORTS[name]
        write_atomic(path, utf8_safe(renderers[name](comparison)))
        written.append(path)
    return written
