"""How long `fluxloop --help` takes to start, beside a bare `python -c pass`.

Bar (DESIGN.md): `fluxloop --help` starts in <= 150 ms. Run by hand:

    python benchmarks/startup.py [--runs 20]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

BAR_MS = 150.0


# As on a user's machine, modules load from bytecode: a PYTHONDONTWRITEBYTECODE inherited
# from a sandbox would make every start compile FluxLoop's modules again.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def median_ms(command: Sequence[str], runs: int) -> float:
    """Median wall time of ``runs`` executions of ``command`` (after one to warm up and
    write bytecode), in milliseconds."""
    subprocess.run(command, stdout=subprocess.DEVNULL, env=ENV, check=True)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, env=ENV, check=True)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def instructions(command: Sequence[str]) -> int:
    """Instructions ``command`` executes, counted by valgrind's callgrind."""
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=ENV,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no instruction count: {done.stderr[-300:]}")
    return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    script = shutil.which("fluxloop") or str(Path(sys.executable).parent / "fluxloop")
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("fluxloop --help", [script, "--help"]),
        ("fluxloop --version", [script, "--version"]),
    ]
    print(f"median of {args.runs} runs each")
    results = {label: median_ms(command, args.runs) for label, command in rows}
    baseline = results["python -c pass"]
    for label, ms in results.items():
        print(f"  {label:<20} {ms:7.1f} ms   (+{ms - baseline:5.1f} ms over python)")
    if shutil.which("valgrind"):
        # Instructions, unlike milliseconds, do not move with what else the machine runs.
        counts = {label: instructions(command) for label, command in rows}
        base = counts["python -c pass"]
        print("instructions (valgrind callgrind), repeatable on a loaded machine")
        for label, count in counts.items():
            over = (count - base) / 1e6
            print(f"  {label:<20} {count / 1e6:7.1f} M    (+{over:5.1f} M over python)")
    verdict = "meets" if results["fluxloop --help"] <= BAR_MS else "MISSES"
    print(f"fluxloop --help {verdict} the {BAR_MS:.0f} ms bar")


if __name__ == "__main__":
    main()
