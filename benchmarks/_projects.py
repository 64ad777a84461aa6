"""Temporary projects for the runner benchmarks."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

SYNC_AGENT = """
import time

def run(input_text):
    time.sleep({sleep})
    return input_text
"""

ASYNC_AGENT = """
import asyncio

async def run(input_text):
    await asyncio.sleep({sleep})
    return input_text
"""

TRIVIAL_AGENT = """
def run(input_text):
    return f"Processed: {input_text}"
"""


def write_project(
    root: Path,
    agent: str | None,
    *,
    inputs: int,
    iterations: int,
    parallel_runs: int,
    runner: tuple[str, ...] = ('  target: "agent:run"',),
) -> Path:
    """A project whose agent is ``agent`` (None: none, ``runner`` lines say where it is);
    returns its setting.yaml."""
    root.mkdir(parents=True, exist_ok=True)
    if agent is not None:
        (root / "agent.py").write_text(agent)
    lines = [
        "name: bench",
        "runner:",
        *runner,
        "base_inputs:",
        *[f'  - input: "input {i}"' for i in range(inputs)],
        f"iterations: {iterations}",
        f"parallel_runs: {parallel_runs}",
        "collector:",
        "  enabled: false",
    ]
    config = root / "setting.yaml"
    config.write_text("\n".join(lines) + "\n")
    return config


def run_fluxloop(config: Path) -> float:
    """Wall seconds of `fluxloop run experiment` on ``config`` (quiet, offline)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--config", str(config),
         "--no-collector", "--quiet"],
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return time.perf_counter() - start
