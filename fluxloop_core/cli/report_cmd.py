"""``fluxloop report experiment`` (``parse experiment`` for fluxloop-cli 0.2.x users)."""

from __future__ import annotations

import argparse

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_config,
    add_experiment_dir,
    add_group,
    add_project,
)
from fluxloop_core.exit_codes import EXIT_OK

PROGRESS_EVERY = 1000


COMMAND = CommandInfo(
    "report", "write readable reports of an experiment's runs", aliases=("parse",)
)
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop report`` (alias ``parse``) and its command."""
    report = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        ["fluxloop report experiment", "fluxloop parse experiment  # the 0.2.x name"],
        aliases=COMMAND.aliases,
    )
    p = add_command(
        report,
        "experiment",
        experiment,
        "an index of the runs, and with --per-run one file per run (input, replayed "
        "arguments, timeline, callbacks, output, error)",
        [
            "fluxloop report experiment",
            "fluxloop report experiment experiments/my_test_20250930_150000 --per-run",
            "fluxloop report experiment --format html --output /tmp/report",
        ],
    )
    add_experiment_dir(p)
    p.add_argument("--format", choices=["md", "html"], default="md", help="default: md")
    p.add_argument("--output", metavar="DIR", help="where to write (default: <experiment>/report)")
    p.add_argument("--per-run", action="store_true", help="also write one file per run")
    add_project(p)
    add_config(p)


def experiment(args: argparse.Namespace) -> int:
    """Write the index (and the per-run files); say where."""
    import sys
    from pathlib import Path

    from fluxloop_core.cli.experiment_arg import experiment_folder
    from fluxloop_core.counts import counted
    from fluxloop_core.run_report.build import write_run_reports

    folder = experiment_folder(args.experiment_dir, project=args.project, config=args.config)
    show = sys.stderr.isatty()

    def progress(done: int) -> None:
        if show and done % PROGRESS_EVERY == 0:
            sys.stderr.write(f"\r{counted(done, 'run')} written")
            sys.stderr.flush()

    result = write_run_reports(
        folder,
        fmt=args.format,
        output_dir=Path(args.output).expanduser() if args.output else None,
        per_run=args.per_run,
        on_progress=progress,
    )
    if show:
        sys.stderr.write("\r")
    print(f"{result.index}: {counted(result.runs, 'run')}")
    if result.run_files:
        print(f"{result.index.parent / 'runs'}: {counted(result.run_files, 'file')}")
    return EXIT_OK
