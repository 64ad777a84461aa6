"""``fluxloop status experiments`` and ``fluxloop status traces``."""

from __future__ import annotations

import argparse
from itertools import islice
from pathlib import Path

from fluxloop_core.cli.output import print_json, print_table
from fluxloop_core.config.project import open_config
from fluxloop_core.errors import UsageError
from fluxloop_core.results.reader import iter_traces, latest_experiment, list_experiments

TEXT_WIDTH = 40


def _clip(text: str, width: int = TEXT_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


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
    rows = []
    for item in listings:
        summary = item.summary
        if summary is None:
            rows.append([item.path.name, "-", "-", "-", "-", "-", item.problem or ""])
            continue
        stats = summary.results
        rows.append(
            [
                item.path.name,
                summary.date[:19].replace("T", " "),
                f"{stats.total_runs}/{summary.planned_runs}",
                f"{stats.success_rate:.1%}",
                f"{stats.avg_duration_ms:.1f}",
                f"{stats.p95_duration_ms:.1f}",
                "interrupted" if summary.interrupted else "",
            ]
        )
    print_table(["EXPERIMENT", "DATE", "RUNS", "SUCCESS", "AVG MS", "P95 MS", "NOTE"], rows)
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
    rows = []
    for record in records:
        if record.error is not None:
            result = f"{record.error.type}: {record.error.message}"
        else:
            result = record.output if isinstance(record.output, str) else repr(record.output)
        rows.append(
            [
                record.run_id,
                record.iteration,
                record.status,
                f"{record.duration_ms:.1f}",
                _clip(record.input),
                _clip(str(result)),
            ]
        )
    print(f"{folder}")
    print_table(["RUN", "ITER", "STATUS", "MS", "INPUT", "OUTPUT / ERROR"], rows)
    return 0
