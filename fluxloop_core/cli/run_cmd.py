"""``fluxloop run experiment`` and ``fluxloop run single``."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from fluxloop_core.cli.output import print_json
from fluxloop_core.counts import counted

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130


@contextmanager
def _signals_cancel(cancel: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call ``cancel`` (twice: stop at once) instead of raising."""

    def handler(signum: int, frame: FrameType | None) -> None:
        cancel()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _format_output(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


def experiment(args: argparse.Namespace) -> int:
    """Run an experiment; exit 0, 1 (below --min-success-rate), 2 (config) or 130."""
    from fluxloop_core.config.project import open_config
    from fluxloop_core.runner.experiment import CancelToken, RunOptions, run_experiment
    from fluxloop_core.runner.resume import stored_config_file

    resume = Path(args.resume).expanduser().resolve() if args.resume else None
    if resume is not None and not args.config and not args.project:
        # The experiment's own config; a folder from before it was recorded sits inside
        # its project, so the project's config is found from there.
        stored = stored_config_file(resume)
        loaded = open_config(config=str(stored)) if stored else open_config(cwd=resume)
    else:
        loaded = open_config(config=args.config, project=args.project)
    options = RunOptions(
        iterations=args.iterations,
        parallel_runs=args.parallel_runs,
        use_collector=not args.no_collector,
        resume_dir=resume,
    )
    token = CancelToken()
    from fluxloop_core.cli.progress import make_renderer

    renderer = make_renderer(quiet=args.quiet, stream=sys.stderr)
    try:
        with _signals_cancel(token.cancel):
            result = run_experiment(loaded, options, on_event=renderer, cancel=token)
    finally:
        renderer.close()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    summary = result.summary
    stats = summary.results
    if args.json:
        print_json(
            {**summary.model_dump(mode="json"), "experiment_dir": str(result.experiment_dir)}
        )
    elif not args.quiet:
        state = "interrupted" if summary.interrupted else "finished"
        print(f"Experiment {state}: {result.experiment_dir}")
        print(
            f"{stats.total_runs} of {counted(summary.planned_runs, 'run')}: {stats.successful} ok, "
            f"{stats.failed} failed (success rate {stats.success_rate:.1%}), "
            f"avg {stats.avg_duration_ms:.1f} ms"
        )
    if summary.interrupted:
        return EXIT_INTERRUPTED
    rate = stats.successful / stats.total_runs if stats.total_runs else 0.0
    return EXIT_FAILED if rate < args.min_success_rate else EXIT_OK


def single(args: argparse.Namespace) -> int:
    """Call a target once; exit 1 when the agent raises, 2 when the target is bad."""
    from fluxloop_core.runner.experiment import run_single

    result = run_single(
        args.target, args.input, working_directory=Path(args.working_directory).expanduser()
    )
    if args.json:
        print_json(
            {
                "output": result.output,
                "duration_ms": round(result.duration_ms, 3),
                "error": result.error.model_dump(mode="json") if result.error else None,
            }
        )
    elif result.error is None:
        print(_format_output(result.output))
        print(f"({result.duration_ms:.1f} ms)")
    if result.error is not None:
        if not args.json:
            print(f"error: {result.error.type}: {result.error.message}", file=sys.stderr)
            if result.error.traceback:
                print(result.error.traceback.rstrip(), file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK
