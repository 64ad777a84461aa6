"""``fluxloop status experiments`` and ``fluxloop status traces``."""

from __future__ import annotations

import argparse
from itertools import islice
from pathlib import Path

from fluxloop_core.cli.output import print_json, print_table
from fluxloop_core.config.project import open_config
from fluxloop_core.errors import UsageError
from fluxloop_core.results.reader import iter_traces, latest_experiment, list_experiments
from fluxloop_core.results.rows import EXPERIMENT_COLUMNS, RUN_COLUMNS, experiment_row, run_row


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
    records = iter_traces(folder, failed_only=args.failed)
    if args.limit is not None:
        records = islice(records, args.limit)
    if args.json:
        print_json([record.model_dump(mode="json") for record in records])
        return 0
    rows = [run_row(record) for record in records]
    print(f"{folder}")
    print_table([c.upper() for c in RUN_COLUMNS], rows)
    return 0
