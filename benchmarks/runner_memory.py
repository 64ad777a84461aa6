"""Peak memory of `fluxloop run experiment` at 10,000 and 100,000 runs.

Results stream to disk, so memory must stay flat as runs grow. Bar (issue 5): peak RSS at
100,000 runs ≤ 1.2 × that at 10,000 runs. Each size runs in a fresh process.

    python benchmarks/runner_memory.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from _projects import TRIVIAL_AGENT, write_project

SIZES = (10_000, 100_000)
BAR = 1.2

MEASURE = """
import resource, subprocess, sys
subprocess.run([sys.executable, "-m", "fluxloop_core", "run", "experiment", "--config",
                sys.argv[1], "--no-collector", "--quiet"], check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_kib(config: Path) -> int:
    """Peak resident memory (KiB) of one experiment, measured from a fresh parent."""
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(config)], check=True, capture_output=True, text=True
    )
    return int(out.stdout.strip().splitlines()[-1])


def main() -> None:
    peaks = {}
    with tempfile.TemporaryDirectory() as root:
        for runs in SIZES:
            config = write_project(
                Path(root) / str(runs), TRIVIAL_AGENT, inputs=100, iterations=runs // 100,
                parallel_runs=8,
            )  # fmt: skip
            peaks[runs] = peak_kib(config)
            print(f"{runs:>7} runs: peak RSS {peaks[runs] / 1024:7.1f} MiB")
    ratio = peaks[SIZES[1]] / peaks[SIZES[0]]
    verdict = "PASS" if ratio <= BAR else "FAIL"
    print(f"ratio {SIZES[1]} / {SIZES[0]}: {ratio:.2f}  bar ≤ {BAR}: {verdict}")


if __name__ == "__main__":
    main()
