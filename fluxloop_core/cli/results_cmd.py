"""``fluxloop status experiments`` and ``fluxloop status traces``."""

from __future__ import annotations

import argparse
from collections import deque
from pathlib import Path

from fluxloop_core.cli.output import print_json, print_table
from fluxloop_core.config.project import open_config
from fluxloop_core.counts import counted
from fluxloop_core.errors import UsageError
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.reader import iter_traces, latest_experiment, list_experiments
from fluxloop_core.results.rows import EXPERIMENT_COLUMNS, RUN_COLUMNS, experiment_row, run_row

DEFAULT_TRACE_ROWS = 20


def experiments(args: argparse.Namespace) -> int:
    """List past experiments of the project, newest first."""
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
                }
                for item in listings
            ]
        )
        return 0
    if not listings:
        print(
            f"No experiments in {loaded.config.output_directory} yet. "
            f"Run one: fluxloop run experiment --config {loaded.path.name}"
        )
        return 0
    rows = [experiment_row(item) for item in listings]
    print_table([c.upper() for c in EXPERIMENT_COLUMNS], rows)
    return 0


def traces(args: argparse.Namespace) -> int:
    """List the runs of the latest (or a named) experiment."""
    if args.experiment:
        folder = Path(args.experiment).expanduser()
    else:
        loaded = open_config(project=args.project)
        found = latest_experiment(loaded.config.output_directory)
        if found is None:
            raise UsageError(
                f"no experiments in {loaded.config.output_directory}",
                hint=f"Run one first: fluxloop run experiment --config {loaded.path.name}",
            )
        folder = found
    # The table shows the newest runs (an experiment may hold thousands); --json, meant for
    # programs, lists every run unless --limit is given.
    limit = None if args.all else args.limit
    if limit is None and not args.all and not args.json:
        limit = DEFAULT_TRACE_ROWS
    total = 0
    newest: deque[TraceRecord] = deque(maxlen=limit)
    for record in iter_traces(folder, failed_only=args.failed):
        total += 1
        newest.append(record)
    if args.json:
        print_json([record.model_dump(mode="json") for record in newest])
        return 0
    what = "failed run" if args.failed else "run"
    heading = f"{folder}  ({counted(total, what)}"
    if len(newest) < total:
        heading += (
            f", the newest {len(newest)} shown; --all shows every one, --limit N the newest N"
        )
    print(heading + ")")
    print_table([c.upper() for c in RUN_COLUMNS], [run_row(record) for record in newest])
    return 0
