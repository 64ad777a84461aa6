"""The executors side by side: local, processes and ray (a local Ray started per experiment).

1. CPU-bound agent (a pure Python loop): throughput at parallel_runs 1 and 2 (the
   workers' start is inside the run phase, amortized over 64 runs). Bar (DESIGN.md):
   processes and ray at parallel 2 reach ≥ 1.7× local's at parallel 2.
2. 10,000 trivial runs: ray's run phase ≤ 3× local's (Ray's start-up and stop apart).
3. 640 runs of an async agent waiting 50 ms at parallel_runs 64 on ray: ≥ 80 % of ideal.

The run phase is timed from the first run's start to the last run's end (runner events),
so interpreter start-up, config loading and Ray's own start and stop are reported apart.
Needs the [ray] extra for the ray rows (they are skipped without it).

    python benchmarks/executors.py
"""

from __future__ import annotations

import importlib.util
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from _projects import ASYNC_AGENT, TRIVIAL_AGENT, write_project

from fluxloop_core.config.executors import ExecutorName
from fluxloop_core.config.loader import load_config
from fluxloop_core.runner.events import (
    ExperimentFinished,
    ExperimentStarted,
    RunFailed,
    RunFinished,
    RunnerEvent,
    RunStarted,
)
from fluxloop_core.runner.experiment import RunOptions, run_experiment

CPU_AGENT = """
def run(input_text):
    total = 0
    for number in range({loops}):
        total += number * number
    return total
"""
CPU_LOOPS, CPU_RUNS = 2_000_000, 64
TRIVIAL_RUNS = 10_000
ASYNC_RUNS, ASYNC_PARALLEL, ASYNC_SLEEP = 640, 64, 0.05
HAS_RAY = importlib.util.find_spec("ray") is not None


@dataclass
class Timing:
    """One experiment: its run phase, and what came before and after it."""

    run_phase: float
    overhead: float  # from ExperimentStarted to the first run, and after the last run
    ok: int


def timed(config: Path, executor: ExecutorName, parallel_runs: int) -> Timing:
    marks: dict[str, float] = {}
    ok = [0]

    def on_event(event: RunnerEvent) -> None:
        now = time.perf_counter()
        if isinstance(event, ExperimentStarted):
            marks["start"] = now
        elif isinstance(event, RunStarted):
            marks.setdefault("first", now)
        elif isinstance(event, RunFinished | RunFailed):
            marks["last"] = now
            ok[0] += isinstance(event, RunFinished)
        elif isinstance(event, ExperimentFinished):
            marks["end"] = now

    sys.path.insert(0, str(config.parent))
    try:
        options = RunOptions(use_collector=False, executor=executor, parallel_runs=parallel_runs)
        run_experiment(load_config(config), options, on_event=on_event)
    finally:
        sys.path.remove(str(config.parent))
        sys.modules.pop("agent", None)
    phase = marks["last"] - marks["first"]
    return Timing(phase, (marks["end"] - marks["start"]) - phase, ok[0])


def cpu_bound(root: Path) -> None:
    print(
        f"1. CPU-bound agent: {CPU_RUNS} runs of a {CPU_LOOPS:,}-step loop, {os.cpu_count()} cores"
    )
    config = write_project(
        root / "cpu",
        CPU_AGENT.format(loops=CPU_LOOPS),
        inputs=CPU_RUNS,
        iterations=1,
        parallel_runs=1,
    )
    print(
        f"   {'executor':10} {'parallel':>8} {'runs/s':>8} {'vs local p2':>12} {'start+stop s':>13}"
    )
    rows: list[tuple[ExecutorName, int]] = [
        ("local", 1),
        ("local", 2),
        ("processes", 1),
        ("processes", 2),
    ]
    rows += [("ray", 2)] if HAS_RAY else []
    base = None
    for executor, parallel in rows:
        timing = timed(config, executor, parallel)
        rate = timing.ok / timing.run_phase
        if (executor, parallel) == ("local", 2):
            base = rate
        ratio = f"{rate / base:11.2f}×" if base else f"{'':12}"
        verdict = ""
        if executor != "local" and parallel == 2 and base:
            verdict = "  bar ≥ 1.7×: " + ("PASS" if rate / base >= 1.7 else "FAIL")
        print(f"   {executor:10} {parallel:8} {rate:8.2f} {ratio} {timing.overhead:13.2f}{verdict}")


def trivial(root: Path) -> None:
    print(f"2. {TRIVIAL_RUNS:,} trivial runs at parallel_runs 4 (run phase; start+stop apart)")
    config = write_project(
        root / "trivial", TRIVIAL_AGENT, inputs=100, iterations=100, parallel_runs=4
    )
    local = timed(config, "local", 4)
    print(f"   local      {local.run_phase:7.2f} s   start+stop {local.overhead:5.2f} s")
    if not HAS_RAY:
        print("   ray        skipped: the [ray] extra is not installed")
        return
    plain = config.read_text()
    for batch_size in (8, 32):  # the default, and a larger one for many short runs
        config.write_text(
            plain.replace("runner:\n", f"runner:\n  ray: {{batch_size: {batch_size}}}\n")
        )
        ray = timed(config, "ray", 4)
        ratio = ray.run_phase / local.run_phase
        verdict = "PASS" if ratio <= 3 else "FAIL"
        print(
            f"   ray, batch {batch_size:2} {ray.run_phase:5.2f} s"
            f"   start+stop {ray.overhead:5.2f} s   {ratio:.1f}× local  bar ≤ 3×: {verdict}"
        )


def async_on_ray(root: Path) -> None:
    ideal = ASYNC_RUNS / ASYNC_PARALLEL * ASYNC_SLEEP
    print(
        f"3. {ASYNC_RUNS} async runs of {ASYNC_SLEEP * 1000:.0f} ms at parallel_runs "
        f"{ASYNC_PARALLEL}: ideal {ideal:.2f} s"
    )
    config = write_project(
        root / "async",
        ASYNC_AGENT.format(sleep=ASYNC_SLEEP),
        inputs=ASYNC_RUNS // 10,
        iterations=10,
        parallel_runs=ASYNC_PARALLEL,
    )
    executors: list[ExecutorName] = ["local", "ray"] if HAS_RAY else ["local"]
    for executor in executors:
        timing = timed(config, executor, ASYNC_PARALLEL)
        efficiency = ideal / timing.run_phase
        verdict = (
            f"  bar ≥ 80 %: {'PASS' if efficiency >= 0.8 else 'FAIL'}" if executor == "ray" else ""
        )
        print(
            f"   {executor:10} {timing.run_phase:6.2f} s  {efficiency:5.0%} of ideal"
            f"   start+stop {timing.overhead:5.2f} s{verdict}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        cpu_bound(root)
        trivial(root)
        async_on_ray(root)


if __name__ == "__main__":
    main()
