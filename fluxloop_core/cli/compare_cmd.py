"""``fluxloop compare [BASE CAND]``, and the comparison flags of ``run experiment``
(``--baseline DIR``, ``--rerun-failing DIR``, ``--alpha``, ``--fail-on-regression``)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_json,
    add_project,
    completes,
    open_rate,
)
from fluxloop_core.cli.gate import report_format, requested_formats
from fluxloop_core.exit_codes import EXIT_FAILED_BAR, EXIT_OK

if TYPE_CHECKING:
    from fluxloop_core.compare.analysis import Comparison
    from fluxloop_core.runner.plan import RunOptions

ROWS_SHOWN = 20


def add_regression_flags(parser: argparse.ArgumentParser) -> None:
    """``--alpha A`` and ``--fail-on-regression``."""
    parser.add_argument(
        "--alpha",
        type=open_rate,
        default=0.05,
        metavar="A",
        help="significance level, Holm-adjusted across inputs (default 0.05)",
    )
    parser.add_argument(
        "--fail-on-regression",
        action="store_true",
        help="exit 1 when an input regressed significantly or the overall change is "
        "significantly negative",
    )


COMMAND = CommandInfo(
    "compare", "compare two experiments: which inputs got worse, and how sure that is"
)
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop compare``."""
    p = add_command(
        sub,
        COMMAND.name,
        compare,
        COMMAND.summary,
        [
            "fluxloop compare                      # the project's latest two experiments",
            "fluxloop compare my_test_20250930_150000 my_test_20251001_090000",
            "fluxloop compare experiments/a experiments/b --fail-on-regression --report md,junit",
            "fluxloop compare --json | jq '.inputs[] | select(.state == \"regressed\")'",
        ],
    )
    completes(
        p.add_argument(
            "base",
            nargs="?",
            metavar="BASE",
            help="the experiment before: a folder, or a folder name under the project's "
            "output_directory (default: the second newest)",
        ),
        "experiments",
    )
    completes(
        p.add_argument(
            "candidate",
            nargs="?",
            metavar="CAND",
            help="the experiment after, the same way (default: the newest)",
        ),
        "experiments",
    )
    add_project(p)
    add_regression_flags(p)
    p.add_argument(
        "--report",
        type=report_format,
        action="append",
        default=[],
        metavar="md|html|junit",
        help="write compare.md, compare.html or compare-junit.xml into CAND (repeatable or a "
        "comma list); compare.md is also appended to $GITHUB_STEP_SUMMARY when set",
    )
    add_json(p, "the comparison")


def add_baseline_flags(parser: argparse.ArgumentParser) -> None:
    """``run experiment``'s ``--baseline DIR``, ``--rerun-failing DIR`` and the regression
    flags."""
    completes(
        parser.add_argument(
            "--baseline",
            metavar="DIR",
            help="compare the new experiment with DIR when it ends (reports as for --report)",
        ),
        "experiments",
    )
    completes(
        parser.add_argument(
            "--rerun-failing",
            metavar="DIR",
            help="run only the inputs that failed or were flaky in DIR (its iterations "
            "unless --iterations)",
        ),
        "experiments",
    )
    add_regression_flags(parser)


def _print_comparison(comparison: Comparison) -> None:
    from fluxloop_core.cli.output import print_table
    from fluxloop_core.compare.text import (
        change_text,
        fraction,
        input_label,
        ms_text,
        p_text,
        verdict_line,
    )

    print(f"Base:      {comparison.base}")
    print(f"Candidate: {comparison.candidate}")
    shown = comparison.inputs[:ROWS_SHOWN]
    print_table(
        ["input", "before", "after", "change", "p(worse)", "state"],
        [
            [
                input_label(item, 50),
                fraction(item.before),
                fraction(item.after),
                change_text(item),
                p_text(item.p_worse),
                item.state,
            ]
            for item in shown
        ],
    )
    if len(comparison.inputs) > ROWS_SHOWN:
        print(f"… {len(comparison.inputs) - ROWS_SHOWN} more inputs (--json or --report lists all)")
    overall = comparison.overall
    print(verdict_line(comparison))
    print(
        f"Latency p50 {ms_text(overall.p50_before)} → {ms_text(overall.p50_after)}, "
        f"p95 {ms_text(overall.p95_before)} → {ms_text(overall.p95_after)}; "
        f"outputs changed for {overall.outputs_changed} of {overall.matched} inputs"
    )


def conclude_comparison(
    comparison: Comparison,
    formats: list[str],
    *,
    fail_on_regression: bool,
    quiet: bool,
    as_json: bool,
) -> int:
    """Write the reports, print the comparison (unless ``as_json``: the caller prints it)
    and the regression paragraph; 1 when ``fail_on_regression`` and it regressed."""
    from fluxloop_core.compare.reports import markdown_report, write_compare_reports
    from fluxloop_core.compare.text import fraction, input_label, p_text
    from fluxloop_core.evaluation.reports import append_step_summary

    written = write_compare_reports(comparison, formats)
    if "md" in formats:
        append_step_summary(markdown_report(comparison), os.environ)
    if not as_json and not quiet:
        _print_comparison(comparison)
        for path in written:
            print(f"Report: {path}")
    if not (fail_on_regression and comparison.has_regression):
        return EXIT_OK
    named = "; ".join(
        f"{input_label(item, 80)!r} {fraction(item.before)} → {fraction(item.after)} "
        f"(p = {p_text(item.p_worse)})"
        for item in comparison.regressed
    )
    overall = comparison.overall
    parts = []
    if named:
        parts.append(f"{len(comparison.regressed)} input(s) regressed: {named}")
    if comparison.overall_worse:
        parts.append(
            f"the pass rate dropped overall ({overall.inputs_worse} inputs worse, "
            f"{overall.inputs_better} better; {overall.test} p = {p_text(overall.p_worse)})"
        )
    print(
        f"Regression against {comparison.base.name} at alpha {comparison.alpha}: "
        + "; ".join(parts),
        file=sys.stderr,
    )
    return EXIT_FAILED_BAR


def compare(args: argparse.Namespace) -> int:
    """Compare two experiments; exit 0, 1 (a regression with --fail-on-regression) or 2."""
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.compare.analysis import compare_experiments
    from fluxloop_core.compare.locate import resolve_pair
    from fluxloop_core.config.project import open_config

    def output_directory() -> Path:
        return open_config(project=args.project).config.output_directory

    given = [name for name in (args.base, args.candidate) if name is not None]
    base, candidate = resolve_pair(given, output_directory, Path.cwd())
    comparison = compare_experiments(base, candidate, args.alpha)
    if args.json:
        print_json(comparison.to_json())
    return conclude_comparison(
        comparison,
        requested_formats(args),
        fail_on_regression=args.fail_on_regression,
        quiet=False,
        as_json=args.json,
    )


def baseline_folder(args: argparse.Namespace) -> Path | None:
    """``--baseline DIR`` as a folder checked to be an experiment (before anything runs)."""
    from fluxloop_core.compare.tallies import require_experiment

    if not args.baseline:
        return None
    folder = Path(args.baseline).expanduser().resolve()
    require_experiment(folder)
    return folder


def apply_rerun_failing(args: argparse.Namespace, options: RunOptions) -> bool:
    """Limit ``options`` to ``--rerun-failing DIR``'s failing inputs (and its iterations
    unless ``--iterations``); False when nothing of DIR failed (nothing to run)."""
    from fluxloop_core.compare.rerun import failing_inputs
    from fluxloop_core.errors import UsageError

    if not args.rerun_failing:
        return True
    if args.resume:
        raise UsageError(
            "--rerun-failing starts a new experiment; --resume finishes one",
            hint="Use one of them (a resumed re-run runs the inputs it was started with).",
        )
    selection = failing_inputs(Path(args.rerun_failing).expanduser().resolve())
    if not selection.failing:
        print(f"Nothing to run again: every run of {selection.source} passed.")
        return False
    options.select_inputs = selection.indices
    options.iterations = options.iterations or selection.iterations
    return True


def compare_with(
    baseline: Path | None, folder: Path, args: argparse.Namespace
) -> Comparison | None:
    """``--baseline``: the new experiment ``folder`` compared with the baseline."""
    from fluxloop_core.compare.analysis import compare_experiments

    return None if baseline is None else compare_experiments(baseline, folder, args.alpha)


def conclude_run_comparison(
    comparison: Comparison, formats: list[str], args: argparse.Namespace
) -> int:
    """:func:`conclude_comparison` with ``run experiment``'s flags."""
    return conclude_comparison(
        comparison,
        formats,
        fail_on_regression=args.fail_on_regression,
        quiet=args.quiet,
        as_json=args.json,
    )
