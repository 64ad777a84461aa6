"""Our runner beside the released fluxloop-cli 0.2.10 on the same trivial agent.

Bar (DESIGN.md): 10,000 runs with ``--no-collector`` take at most 1/5 of fluxloop-cli
0.2.10's time. The old tool is installed into a side venv (outside the repository, reused
across runs) from the package index. Both tools run the full count by default;
``--old-runs N`` times the old tool on fewer runs and extrapolates linearly (said so in the
output).

    python benchmarks/runner_vs_fluxloop_cli.py [--runs 10000] [--old-runs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

OLD_VERSION = "0.2.10"
DEFAULT_VENV = Path.home() / ".cache" / "fluxloop-bench" / f"venv-{OLD_VERSION}"
MAX_OLD_ITERATIONS = 1_000
AGENT = 'def run(input_text):\n    return f"Processed: {input_text}"\n'


def old_tool(venv: Path) -> Path:
    """The old `fluxloop` executable, installing fluxloop-cli into ``venv`` when missing."""
    executable = venv / "bin" / "fluxloop"
    if not executable.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run(
            [str(venv / "bin" / "pip"), "install", "--quiet", f"fluxloop-cli=={OLD_VERSION}"],
            check=True,
        )
    return executable


def write_project(root: Path, runs: int) -> Path:
    """A project both tools accept: an inputs file × iterations making ``runs`` runs.

    fluxloop-cli caps iterations at 1,000, so larger counts use more inputs.
    """
    inputs = -(-runs // MAX_OLD_ITERATIONS)
    if runs % inputs:
        raise SystemExit(f"--runs must be a multiple of {inputs} (inputs × iterations)")
    root.mkdir(parents=True)
    (root / "agent.py").write_text(AGENT)
    items = "".join(f'  - input: "hello {i}"\n' for i in range(inputs))
    (root / "inputs.yaml").write_text("inputs:\n" + items)
    config = root / "setting.yaml"
    config.write_text(
        "name: bench\n"
        "runner:\n"
        '  target: "agent:run"\n'
        '  working_directory: "."\n'
        'inputs_file: "inputs.yaml"\n'
        f"iterations: {runs // inputs}\n"
        'output_directory: "experiments"\n'
    )
    return config


def timed(command: list[str], cwd: Path, env: dict[str, str], stdin: str = "") -> float:
    """Wall seconds of one command (its output discarded)."""
    start = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=env, input=stdin, text=True, capture_output=True, check=True
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--old-runs", type=int, default=None)
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV)
    args = parser.parse_args()

    old = old_tool(args.venv)
    # The old tool runs isolated from this checkout, with no FLUXLOOP_* collector settings.
    clean = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "LANG": "C.UTF-8"}
    ours_env = {k: v for k, v in os.environ.items() if not k.startswith("FLUXLOOP_")}
    old_runs = min(args.old_runs or args.runs, args.runs)
    with tempfile.TemporaryDirectory() as root:
        ours_config = write_project(Path(root) / "ours", args.runs)
        old_config = write_project(Path(root) / "old", old_runs)
        ours = timed(
            [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--config",
             str(ours_config), "--no-collector", "--quiet"],
            ours_config.parent,
            ours_env,
        )  # fmt: skip
        # It asks "Continue? [y/N]" before large experiments.
        measured = timed(
            [str(old), "run", "experiment", "--config", str(old_config), "--no-collector"],
            old_config.parent,
            clean,
            stdin="y\n",
        )
    theirs = measured * args.runs / old_runs
    note = (
        f" (measured {old_runs} runs in {measured:.2f} s, extrapolated)"
        if old_runs < args.runs
        else ""
    )
    print(f"{'tool':28} {'runs':>7} {'seconds':>9} {'runs/s':>9}")
    print(f"{'fluxloop (this checkout)':28} {args.runs:7} {ours:9.2f} {args.runs / ours:9.0f}")
    print(
        f"{'fluxloop-cli ' + OLD_VERSION:28} {args.runs:7} {theirs:9.2f} "
        f"{args.runs / theirs:9.0f}{note}"
    )
    ratio = ours / theirs
    verdict = "PASS" if ratio <= 0.2 else "FAIL"
    print(f"ours / theirs = {ratio:.3f}  bar ≤ 0.2 (1/5): {verdict}")


if __name__ == "__main__":
    main()
