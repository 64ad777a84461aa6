"""Parallel throughput of I/O-bound agents at parallel_runs: 64.

640 runs of an agent that waits 50 ms: ideal is 640 / 64 × 0.05 s = 0.5 s. The run phase
is timed from the runner's ExperimentStarted event to its ExperimentFinished event, so
interpreter start-up and config loading are not counted. Bars (DESIGN.md): async agent
≥ 90 % of ideal, sync agent (time.sleep, thread pool) ≥ 80 %.

    python benchmarks/runner_throughput.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from _projects import ASYNC_AGENT, SYNC_AGENT, write_project

from fluxloop_core.config.loader import load_config
from fluxloop_core.runner.events import ExperimentFinished, ExperimentStarted, RunnerEvent
from fluxloop_core.runner.experiment import RunOptions, run_experiment

RUNS, PARALLEL, SLEEP = 640, 64, 0.05
BARS = {"async": 0.90, "sync": 0.80}


def run_phase_seconds(config: Path) -> float:
    """Seconds between the first and the last runner event of one experiment."""
    marks: dict[str, float] = {}

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, ExperimentStarted):
            marks["start"] = time.perf_counter()
        elif isinstance(event, ExperimentFinished):
            marks["end"] = time.perf_counter()

    sys.path.insert(0, str(config.parent))
    try:
        run_experiment(load_config(config), RunOptions(use_collector=False), on_event=on_event)
    finally:
        sys.path.remove(str(config.parent))
        sys.modules.pop("agent", None)
    return marks["end"] - marks["start"]


def main() -> None:
    ideal = RUNS / PARALLEL * SLEEP
    print(f"{'agent':6} {'runs':>5} {'run phase s':>12} {'ideal s':>8} {'efficiency':>10}")
    with tempfile.TemporaryDirectory() as root:
        for kind, template in (("async", ASYNC_AGENT), ("sync", SYNC_AGENT)):
            config = write_project(
                Path(root) / kind,
                template.format(sleep=SLEEP),
                inputs=RUNS // 10,
                iterations=10,
                parallel_runs=PARALLEL,
            )
            seconds = min(run_phase_seconds(config) for _ in range(3))
            efficiency = ideal / seconds
            verdict = "PASS" if efficiency >= BARS[kind] else "FAIL"
            print(
                f"{kind:6} {RUNS:5} {seconds:12.3f} {ideal:8.3f} {efficiency:9.0%}"
                f"  bar ≥ {BARS[kind]:.0%}: {verdict}"
            )


if __name__ == "__main__":
    main()
