"""Reports CI systems and people already read: JUnit XML and Markdown (HTML: html_report).

JUnit: one ``testcase`` per input (``classname`` the experiment), ``failure`` for an input
under the bar, ``error`` for an input whose every iteration raised or timed out,
``skipped`` for an input no run of which could be graded. Text XML 1.0 cannot hold
(control characters, lone surrogates, U+FFFE/U+FFFF) is removed, so the file always parses.

Every report is written atomically (readers never see half a file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.etree import ElementTree as ET

from fluxloop_core.evaluation.aggregate import EvaluationSummary, InputResult
from fluxloop_core.evaluation.files import evaluation_dir
from fluxloop_core.evaluation.html_report import html_report
from fluxloop_core.evaluation.markup import utf8_safe, xml_text
from fluxloop_core.files import write_atomic
from fluxloop_core.results.rows import clip

REPORT_FORMATS: dict[str, str] = {"junit": "junit.xml", "md": "report.md", "html": "report.html"}
"""``--report`` names and the files they write into ``<experiment>/evaluation/``."""

MARKDOWN_INPUT_ROWS = 50
MARKDOWN_FAILING_RUNS = 20
FAILURE_REASONS_PER_INPUT = 10


def _reasons_by_input(summary: EvaluationSummary) -> dict[int, list[str]]:
    reasons: dict[int, list[str]] = {}
    for run in summary.failing_runs:
        kept = reasons.setdefault(run.input_index, [])
        if len(kept) < FAILURE_REASONS_PER_INPUT:
            kept.extend(f"run {run.run_id}: {reason}" for reason in run.reasons)
    return reasons


def _bar_text(item: InputResult, summary: EvaluationSummary) -> str:
    gate = summary.gate_spec
    if gate.fail_on_flaky and 0 < item.passed < item.graded:
        return "flaky (fail_on_flaky)"
    if gate.min_input_pass_rate is not None:
        return f"under the bar {gate.min_input_pass_rate:.0%}"
    return "passed on no iteration"


def junit_xml(summary: EvaluationSummary, experiment: str) -> str:
    """The JUnit XML report (the common Jenkins/Surefire shape)."""
    reasons = _reasons_by_input(summary)
    failures = sum(1 for i in summary.inputs if i.under_bar and not i.all_errored)
    errors = sum(1 for i in summary.inputs if i.all_errored)
    skipped = sum(1 for i in summary.inputs if i.state == "ungraded" and not i.all_errored)
    seconds = sum(i.total_ms for i in summary.inputs) / 1000
    name = xml_text(experiment)
    counts = {
        "tests": str(len(summary.inputs)),
        "failures": str(failures),
        "errors": str(errors),
        "skipped": str(skipped),
        "time": f"{seconds:.3f}",
    }
    # The JUnit XSD allows no `skipped` on <testsuites>, only on <testsuite>.
    totals = {key: value for key, value in counts.items() if key != "skipped"}
    root = ET.Element("testsuites", {"name": "fluxloop evaluation", **totals})
    suite = ET.SubElement(root, "testsuite", {"name": name, **counts})
    properties = ET.SubElement(suite, "properties")
    for key, value in (
        ("pass_rate", f"{summary.pass_rate.estimate:.4f}"),
        ("pass_rate_low", f"{summary.pass_rate.low:.4f}"),
        ("pass_rate_high", f"{summary.pass_rate.high:.4f}"),
        ("runs", str(summary.runs)),
        ("grading_errors", str(summary.grading_errors)),
        ("gate", "passed" if summary.gate.passed else "failed"),
        ("interrupted", "true" if summary.interrupted else "false"),
        *(("note", note) for note in summary.notes()),
    ):
        ET.SubElement(properties, "property", {"name": key, "value": value})
    for item in summary.inputs:
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "name": xml_text(f"#{item.index} {clip(item.input, 120)}"),
                "classname": name,
                "time": f"{item.total_ms / 1000:.3f}",
            },
        )
        figure = f"{item.passed}/{item.graded} iterations passed"
        details = xml_text("\n".join(reasons.get(item.index, [])))
        if item.all_errored:
            element = ET.SubElement(
                case,
                "error",
                {"message": f"every iteration errored ({item.runs})", "type": "RunError"},
            )
            element.text = details
        elif item.under_bar:
            element = ET.SubElement(
                case,
                "failure",
                {"message": f"{figure}: {_bar_text(item, summary)}", "type": "EvaluationFailure"},
            )
            element.text = details
        elif item.state == "ungraded":
            ET.SubElement(case, "skipped", {"message": "no iteration could be graded"})
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def md_cell(text: str, width: int = 80) -> str:
    """``text`` as one Markdown table cell: on one line, clipped to ``width``, with nothing
    that could end the cell or the table (control characters and lone surrogates dropped)."""
    return clip(xml_text(text), width).replace("\\", "\\\\").replace("|", "\\|").replace("`", "'")


def _interval(item: InputResult) -> str:
    return f"{item.interval.low:.0%}–{item.interval.high:.0%}"


def markdown_report(summary: EvaluationSummary, experiment: str) -> str:
    """report.md: the figures, the gate, the worst inputs, per-check rates, failing runs."""
    rate = summary.pass_rate
    verdict = "✅ gate passed" if summary.gate.passed else "❌ gate failed"
    lines = [
        f"## FluxLoop evaluation: {md_cell(experiment)}",
        "",
        f"**{verdict}** — pass rate **{rate.estimate:.1%}** "
        f"(95% CI {rate.low:.1%}–{rate.high:.1%}, clustered by input), "
        f"{summary.passed_runs}/{summary.graded_runs} runs.",
        "",
    ]
    lines += [f"> ⚠ {md_cell(note, 1000)}" for note in summary.notes()]
    if summary.notes():
        lines.append("")
    lines += [f"- {md_cell(reason, 1000)}" for reason in summary.gate.reasons]
    if summary.gate.reasons:
        lines.append("")
    states = {state: 0 for state in ("pass", "flaky", "fail", "ungraded")}
    for item in summary.inputs:
        states[item.state] += 1
    lines += [
        "| figure | value |",
        "|---|---|",
        f"| runs | {summary.runs} |",
        f"| inputs always passing | {summary.always_passing_share:.1%} |",
        f"| inputs pass / flaky / fail | {states['pass']} / {states['flaky']} / {states['fail']} |",
        f"| mean weighted score | {summary.mean_score:.3f} |",
        f"| agent errors | {summary.run_errors} |",
        f"| grading errors | {summary.grading_errors} ({summary.ungraded_runs} runs ungraded) |",
        "",
        "### Inputs (worst first)",
        "",
        "| # | input | passed | 95% CI | state |",
        "|---|---|---|---|---|",
    ]
    ordered = sorted(
        summary.inputs,
        key=lambda i: (i.passed / i.graded if i.graded else 2.0, i.index),
    )
    for item in ordered[:MARKDOWN_INPUT_ROWS]:
        mark = " ⚠" if item.under_bar or item.all_errored else ""
        lines.append(
            f"| {item.index} | {md_cell(item.input, 60)} | {item.passed}/{item.graded} | "
            f"{_interval(item)} | {item.state}{mark} |"
        )
    if len(ordered) > MARKDOWN_INPUT_ROWS:
        lines.append(f"| … | {len(ordered) - MARKDOWN_INPUT_ROWS} more inputs | | | |")
    lines += ["", "### Checks", "", "| check | pass rate | passed | failed | grading errors |"]
    lines.append("|---|---|---|---|---|")
    for check in summary.checks:
        lines.append(
            f"| {md_cell(check.name)} | {check.rate:.1%} | {check.passed} | {check.failed} | "
            f"{check.grading_errors} |"
        )
    if summary.failing_runs:
        lines += ["", f"### Failing runs ({summary.failing_runs_total})", ""]
        for run in summary.failing_runs[:MARKDOWN_FAILING_RUNS]:
            why = "; ".join(run.reasons) or "failed"
            lines.append(f"- `{run.run_id}` {md_cell(why, 200)}")
        if summary.failing_runs_total > MARKDOWN_FAILING_RUNS:
            lines.append(f"- … {summary.failing_runs_total - MARKDOWN_FAILING_RUNS} more")
    return "\n".join(lines) + "\n"


_RENDERERS = {"junit": junit_xml, "md": markdown_report, "html": html_report}


def parse_report_formats(values: Iterable[str]) -> list[str]:
    """``--report`` values (repeatable or comma lists) as known format names, in order,
    each once; ValueError naming an unknown one."""
    formats: list[str] = []
    for value in values:
        for name in (part.strip().lower() for part in value.split(",")):
            if not name:
                continue
            name = {"markdown": "md", "xml": "junit"}.get(name, name)
            if name not in REPORT_FORMATS:
                raise ValueError(f"unknown report format {name!r}; use {', '.join(REPORT_FORMATS)}")
            if name not in formats:
                formats.append(name)
    return formats


def append_step_summary(markdown: str, env: Mapping[str, str]) -> Path | None:
    """Append ``markdown`` to the file ``$GITHUB_STEP_SUMMARY`` names (GitHub Actions shows
    it on the run's page); None when the variable is not set. GitHub's contract is an
    append, so this one write is not atomic."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target:
        return None
    path = Path(target)
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(utf8_safe(markdown) + "\n")
    return path


def write_reports(
    experiment_dir: Path, summary: EvaluationSummary, experiment: str, formats: Iterable[str]
) -> list[Path]:
    """Write each report in ``formats`` (see REPORT_FORMATS) atomically into
    ``<experiment>/evaluation/``; returns the paths written."""
    written = []
    for name in formats:
        path = evaluation_dir(experiment_dir) / REPORT_FORMATS[name]
        write_atomic(path, utf8_safe(_RENDERERS[name](summary, experiment)))
        written.append(path)
    return written
