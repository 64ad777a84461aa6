"""The TUI on a 100,000-run evaluated experiment: the runs screen and the evaluation view.

Bar (issue 14): the evaluation's screens stay responsive with 100,000 runs — they read at
most 1,000 runs or inputs. Printed beside a baseline: the same runs screen on the same
runs without an evaluation (the reading the TUI did before evaluation existed).
Headless (``App.run_test``) at 120×36, on the demo project plus the big experiment.
Run: ``python benchmarks/tui_evaluation.py [--runs 100000] [--inputs 1000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen
from textual.widgets import DataTable

from fluxloop_core.evaluation.regrade import regrade_experiment
from fluxloop_core.evaluation.spec import GateSpec, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.results.encoding import record_line
from fluxloop_core.results.models import TRACES_FILE, TraceRecord
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.demo import build_demo_workspace
from fluxloop_tui.screens.evaluation import EvaluationScreen
from fluxloop_tui.screens.experiments import RunsScreen

REPEATS = 3
BAR_RATIO = 1.5
"""Each evaluated screen fills in at most this many times the baseline's time (the same
1,000 rows: filling and painting the table is most of either)."""


def write_experiment(folder: Path, runs: int, inputs: int) -> None:
    """``runs`` runs over ``inputs`` inputs; every 7th fails its check, graded on disk."""
    folder.mkdir(parents=True)
    with open(folder / TRACES_FILE, "wb") as handle:
        for i in range(runs):
            run = TraceRecord(
                run_id=f"{i % inputs}.{i // inputs}",
                input_index=i % inputs,
                iteration=i // inputs,
                input=f"question {i % inputs}",
                status="success",
                started_at="2026-12-01T00:00:00+00:00",
                duration_ms=1.0,
                output="no" if i % 7 == 0 else "yes",
            )
            handle.write(record_line(run)[1])
    plan = compile_plan(validate_evaluation({"checks": [{"check": "contains", "keywords": ["y"]}]}))
    regrade_experiment(folder, plan, GateSpec(min_pass_rate=0.9))


async def time_screen(
    project: Path, make: Callable[[], Screen[None]], keys: tuple[str, ...] = ()
) -> float:
    """Seconds until the screen's table is filled and painted: from pushing the screen,
    or, with ``keys``, from pressing them on the filled screen."""
    app = FluxLoopApp(project, project.parent.parent)
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        started = time.perf_counter()
        app.push_screen(make())
        if keys:
            await app.workers.wait_for_complete()
            await pilot.pause()
            started = time.perf_counter()
            await pilot.press(*keys)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen.query(DataTable).first().row_count
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--inputs", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        project = build_demo_workspace(Path(root))
        graded = project / "experiments" / "big_20251001_000000"
        started = time.perf_counter()
        write_experiment(graded, args.runs, args.inputs)
        print(f"{args.runs:,} runs over {args.inputs:,} inputs written and graded in "
              f"{time.perf_counter() - started:.1f} s")  # fmt: skip
        plain = project / "experiments" / "plain_20251001_000000"
        plain.mkdir()
        shutil.copy(graded / TRACES_FILE, plain / TRACES_FILE)
        rows = [
            ("runs screen, not evaluated (baseline)", lambda: RunsScreen(plain), ()),
            ("runs screen, evaluated", lambda: RunsScreen(graded), ()),
            ("runs screen, evaluated, failed only", lambda: RunsScreen(graded), ("f",)),
            ("evaluation view", lambda: EvaluationScreen(graded), ()),
        ]
        print(f"{'screen':<40} {'filled in (best of ' + str(REPEATS) + ')':>10}")
        baseline = 0.0
        for label, make, keys in rows:
            # The best of a few: on a shared machine other work only ever adds time.
            seconds = min(asyncio.run(time_screen(project, make, keys)) for _ in range(REPEATS))
            if not baseline:
                baseline = seconds
                print(f"{label:<40} {seconds * 1000:>8.0f} ms")
                continue
            ratio = seconds / baseline
            verdict = "ok" if ratio <= BAR_RATIO else "OVER"
            print(f"{label:<40} {seconds * 1000:>8.0f} ms  {ratio:.2f}× baseline {verdict}")
        print(f"bar: each evaluated screen ≤ {BAR_RATIO}× the baseline")


if __name__ == "__main__":
    main()
