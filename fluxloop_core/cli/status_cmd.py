"""``fluxloop status check | experiments | traces``: a project's health and its past runs.

``check`` prints one ok/warn/fail line per check and exits 2 when any fails.
"""

from __future__ import annotations

import argparse
from collections import deque
from typing import TYPE_CHECKING

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_config,
    add_group,
    add_json,
    add_project,
    completes,
    positive_int,
)
from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from fluxloop_core.results.models import TraceRecord
    from fluxloop_core.status import Check

_STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}
DEFAULT_TRACE_ROWS = 20


COMMAND = CommandInfo("status", "check a project and read past experiments")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop status`` and its commands."""
    status = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        [
            "fluxloop status check --project my-agent",
            "fluxloop status experiments --project my-agent",
            "fluxloop status traces --project my-agent --failed",
        ],
    )
    p = add_command(
        status,
        "check",
        check,
        "check config, target, keys, collector, recording and inputs",
        ["fluxloop status check --project my-agent", "fluxloop status check --config setting.yaml"],
    )
    add_project(p)
    add_config(p)
    add_json(p, "the checks")
    p = add_command(
        status,
        "experiments",
        experiments,
        "list past experiments, newest first",
        ["fluxloop status experiments --project my-agent", "fluxloop status experiments --json"],
    )
    add_project(p)
    add_json(p, "the experiments")
    p = add_command(
        status,
        "traces",
        traces,
        "list the runs of the latest (or a named) experiment",
        [
            "fluxloop status traces --project my-agent",
            "fluxloop status traces --failed --limit 20",
            "fluxloop status traces --experiment experiments/my_test_20250930_150000",
        ],
    )
    add_project(p)
    completes(
        p.add_argument(
            "--experiment", metavar="DIR", help="an experiment folder (default: latest)"
        ),
        "experiments",
    )
    p.add_argument("--failed", action="store_true", help="only failed runs")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument(
        "--limit",
        type=positive_int,
        metavar="N",
        help="the newest N runs (default: 20 in the table, every run with --json)",
    )
    shown.add_argument("--all", action="store_true", help="every run")
    add_json(p, "the runs")


def _print(checks: list[Check]) -> None:
    from fluxloop_core.cli.output import console, is_tty
    from fluxloop_core.redaction import redact

    width = max(len(check.name) for check in checks)
    if not is_tty():
        for check in checks:
            print(f"{check.level:<4}  {check.name:<{width}}  {check.message}")
        return
    from rich.markup import escape
    from rich.table import Table

    # A table keeps a wrapped message inside its column on narrow terminals; it is
    # redacted first, as a secret folded over two lines escapes the stream's redaction.
    table = Table(box=None, show_header=False, pad_edge=False)
    for check in checks:
        style = _STYLE[check.level]
        table.add_row(
            f"[{style}]{check.level}[/{style}]", check.name, escape(redact(check.message))
        )
    console().print(table)


def check(args: argparse.Namespace) -> int:
    """Check config, target, keys, collector, recording, inputs and the last experiment."""
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.config.project import open_config
    from fluxloop_core.errors import ConfigError
    from fluxloop_core.status import Check, run_checks

    try:
        loaded = open_config(config=getattr(args, "config", None), project=args.project)
    except ConfigError as error:
        checks = [Check("config", "fail", error.render())]
    else:
        checks = run_checks(loaded)
    if args.json:
        print_json([{"name": c.name, "level": c.level, "message": c.message} for c in checks])
    else:
        _print(checks)
    return EXIT_USAGE if any(c.level == "fail" for c in checks) else EXIT_OK


def experiments(args: argparse.Namespace) -> int:
    """List past experiments of the project, newest first."""
    from fluxloop_core.cli.output import print_json, print_table
    from fluxloop_core.config.project import open_config
    from fluxloop_core.evaluation.files import pass_and_gate, read_summary
    from fluxloop_core.results.reader import list_experiments
    from fluxloop_core.results.rows import EXPERIMENT_COLUMNS, experiment_row

    loaded = open_config(project=args.project)
    listings = list_experiments(loaded.config.output_directory)
    if args.json:
        print_json(
            [
                {
                    "path": str(item.path),
                    "problem": item.problem,
                    "summary": item.summary.model_dump(mode="json", exclude={"config"})
                    if item.summary
                    else None,
                    # The current grading (`evaluate experiment` rewrites only this file).
                    "evaluation": read_summary(item.path),
                }
                for item in listings
            ]
        )
        return EXIT_OK
    if not listings:
        print(
            f"No experiments in {loaded.config.output_directory} yet. "
            f"Run one: fluxloop run experiment --config {loaded.path.name}"
        )
        return EXIT_OK
    # The evaluation's columns go before the note (the last column).
    headers = [*EXPERIMENT_COLUMNS[:-1], "pass", "gate", EXPERIMENT_COLUMNS[-1]]
    rows = []
    for item in listings:
        row = experiment_row(item)
        rows.append([*row[:-1], *pass_and_gate(item.path), row[-1]])
    print_table([c.upper() for c in headers], rows)
    return EXIT_OK


def traces(args: argparse.Namespace) -> int:
    """List the runs of the latest (or a named) experiment."""
    from fluxloop_core.cli.experiment_arg import experiment_folder
    from fluxloop_core.cli.output import print_json, print_table
    from fluxloop_core.counts import counted
    from fluxloop_core.evaluation.files import failed_check_reasons
    from fluxloop_core.results.reader import iter_traces
    from fluxloop_core.results.rows import OUTPUT_COLUMN, RUN_COLUMNS, clip, run_row

    folder = experiment_folder(args.experiment, project=args.project)
    # The table shows the newest runs (an experiment may hold thousands); --json, meant for
    # programs, lists every run unless --limit is given.
    limit = None if args.all else args.limit
    if limit is None and not args.all and not args.json:
        limit = DEFAULT_TRACE_ROWS
    total = 0
    newest: deque[TraceRecord] = deque(maxlen=limit)
    # --failed: the runs that raised or timed out, and those that failed a check.
    failing = failed_check_reasons(folder) if args.failed else {}
    for record in iter_traces(folder, failed_only=args.failed and not failing):
        if args.failed and record.status == "success" and record.run_id not in failing:
            continue
        total += 1
        newest.append(record)
    if args.json:
        print_json(
            [
                {
                    **record.model_dump(mode="json"),
                    **(
                        {"failed_checks": failing[record.run_id]}
                        if record.run_id in failing
                        else {}
                    ),
                }
                for record in newest
            ]
        )
        return EXIT_OK
    what = "failed run" if args.failed else "run"
    heading = f"{folder}  ({counted(total, what)}"
    if len(newest) < total:
        heading += (
            f", the newest {len(newest)} shown; --all shows every one, --limit N the newest N"
        )
    print(heading + ")")
    rows = []
    for record in newest:
        row = run_row(record)
        if record.status == "success" and record.run_id in failing:
            row[OUTPUT_COLUMN] = clip("; ".join(failing[record.run_id]))  # the check's reason
        rows.append(row)
    print_table([c.upper() for c in RUN_COLUMNS], rows)
    return EXIT_OK
