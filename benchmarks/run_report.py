"""``report experiment`` on large experiments, beside the floor of reading them.

1. Runs two experiments of trivial runs (a tenth of ``--runs`` and ``--runs``).
2. Times reading every trace line (the floor any report pays), the index alone (md, html)
   and the index with one file per run (md, on the smaller experiment).
3. Measures peak memory (tracemalloc) of the index on both: it must stay flat in runs.

    python benchmarks/run_report.py [--runs 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from _projects import TRIVIAL_AGENT, write_project

from fluxloop_core.config.loader import load_config
from fluxloop_core.results.reader import iter_traces
from fluxloop_core.run_report.build import write_run_reports
from fluxloop_core.runner.experiment import RunOptions, run_experiment

INPUTS = 100


def experiment(root: Path, runs: int) -> Path:
    """The folder of a fresh experiment of ``runs`` trivial runs."""
    config = write_project(
        root, TRIVIAL_AGENT, inputs=INPUTS, iterations=max(1, runs // INPUTS), parallel_runs=1
    )
    sys.path.insert(0, str(root))
    try:
        result = run_experiment(load_config(config), RunOptions(use_collector=False))
    finally:
        sys.path.remove(str(root))
        sys.modules.pop("agent", None)
    return result.experiment_dir


def timed(work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def peak(work: Callable[[], object]) -> int:
    tracemalloc.start()
    work()
    _, top = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return top


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as temp:
        small = experiment(Path(temp) / "small", runs // 10)
        large = experiment(Path(temp) / "large", runs)
        out = Path(temp) / "out"
        rows = [
            ("read traces (floor)", large, lambda: sum(1 for _ in iter_traces(large))),
            ("index md", large, lambda: write_run_reports(large, output_dir=out)),
            ("index html", large, lambda: write_run_reports(large, fmt="html", output_dir=out)),
            (
                "index + a file per run (md)",
                small,
                lambda: write_run_reports(small, per_run=True, output_dir=out / "per-run"),
            ),
        ]
        print(f"{'':32}{'runs':>9}{'s':>9}{'µs/run':>9}")
        for name, folder, work in rows:
            count = sum(1 for _ in iter_traces(folder))
            seconds = timed(work)
            print(f"{name:32}{count:9}{seconds:9.2f}{seconds / count * 1e6:9.1f}")
        small_peak = peak(lambda: write_run_reports(small, output_dir=out / "m1"))
        large_peak = peak(lambda: write_run_reports(large, output_dir=out / "m2"))
    # Not flat: reading keeps each run id once, to skip a line written twice.
    growth = (large_peak - small_peak) / (runs - runs // 10)
    print(
        f"index peak memory: {small_peak / 2**20:.1f} MiB at {runs // 10} runs, "
        f"{large_peak / 2**20:.1f} MiB at {runs} ({growth:.0f} bytes a run: the run ids "
        "iter_traces keeps to de-duplicate)"
    )


if __name__ == "__main__":
    main()
