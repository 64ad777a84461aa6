"""The evaluation's flags and outcome, shared by ``run experiment`` and ``evaluate
experiment``: ``--fail-under``, ``--fail-under-per-input``, ``--report``; the reports
written, the gate's paragraph printed, the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.cli.args import rate
from fluxloop_core.exit_codes import EXIT_FAILED_BAR, EXIT_OK

if TYPE_CHECKING:
    from fluxloop_core.evaluation.aggregate import EvaluationSummary


def report_format(text: str) -> list[str]:
    """An argparse type: ``junit``, ``md``, ``html`` or a comma list of them."""
    from fluxloop_core.evaluation.reports import parse_report_formats

    try:
        return parse_report_formats([text])
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_gate_flags(parser: argparse.ArgumentParser) -> None:
    """``--fail-under R``, ``--fail-under-per-input R`` and ``--report FORMAT``."""
    parser.add_argument(
        "--fail-under",
        type=rate,
        metavar="R",
        help="exit 1 when the share of runs passing their checks is below R "
        "(over evaluation.gate.min_pass_rate)",
    )
    parser.add_argument(
        "--fail-under-per-input",
        type=rate,
        metavar="R",
        help="exit 1 when an input passes less than R of its iterations "
        "(over evaluation.gate.min_input_pass_rate)",
    )
    parser.add_argument(
        "--report",
        type=report_format,
        action="append",
        default=[],
        metavar="junit|md|html",
        help="write evaluation/junit.xml, report.md or report.html (repeatable or a comma "
        "list); report.md is also appended to $GITHUB_STEP_SUMMARY when set",
    )


def requested_formats(args: argparse.Namespace) -> list[str]:
    """The ``--report`` formats, each once, in the order given."""
    formats: list[str] = []
    for group in args.report:
        formats.extend(name for name in group if name not in formats)
    return formats


def conclude(
    summary: EvaluationSummary,
    experiment_dir: Path,
    formats: list[str],
    *,
    quiet: bool,
    as_json: bool,
) -> tuple[int, list[Path]]:
    """Write the reports, print the evaluation's line and the gate's paragraph (stderr
    when it fails), and return (exit code, reports written): 0 the gate holds, 1 not."""
    from fluxloop_core.evaluation.reports import append_step_summary, markdown_report, write_reports

    written = write_reports(experiment_dir, summary, experiment_dir.name, formats)
    if "md" in formats:
        append_step_summary(markdown_report(summary, experiment_dir.name), os.environ)
    if not as_json and not quiet:
        verdict = "holds" if summary.gate.passed else "FAILS"
        print(
            f"Evaluation: {summary.passed_runs} of {summary.graded_runs} graded runs pass "
            f"({summary.pass_rate.estimate:.1%}, 95% CI {summary.pass_rate.low:.1%}"
            f"-{summary.pass_rate.high:.1%}); gate {verdict}"
        )
        for path in written:
            print(f"Report: {path}")
    for note in summary.notes():
        print(f"note: {note}", file=sys.stderr)
    if summary.gate.passed:
        return EXIT_OK, written
    print(f"Gate failed: {summary.gate.message()}", file=sys.stderr)
    return EXIT_FAILED_BAR, written
