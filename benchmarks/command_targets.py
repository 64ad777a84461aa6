"""A command target beside an in-process one: 10,000 runs of a Python echo agent spoken to
over ``protocol: jsonl`` (8 long-lived copies) against the same echo as a Python function
imported in-process, both at parallel_runs 8, offline, in fresh processes.

The difference is what the process boundary costs a run: a request line written, an
answer line read and parsed, and the spans it carries. Each figure is the best of
``ROUNDS``; a run of 100 of each is subtracted to leave out start-up (interpreters,
imports, the 8 programs started).

    python benchmarks/command_targets.py
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from _projects import TRIVIAL_AGENT, run_fluxloop, write_project

RUNS = 10_000
SMALL = 100
ROUNDS = 2
ECHO = """
import json
import sys

for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.write(json.dumps({"v": 1, "output": "Processed: " + request["input"]}) + "\\n")
    sys.stdout.flush()
"""


def command_project(root: Path, runs: int) -> Path:
    """The in-process project of ``runs`` runs, turned into a command target."""
    config = write_project(root, TRIVIAL_AGENT, inputs=100, iterations=runs // 100, parallel_runs=8)
    (root / "echo.py").write_text(ECHO)
    command = f"  command: {json.dumps([sys.executable, 'echo.py'])}"
    config.write_text(config.read_text().replace('  target: "agent:run"', command))
    return config


def best(config: Path) -> float:
    return min(run_fluxloop(config) for _ in range(ROUNDS))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        timings = {}
        for runs in (SMALL, RUNS):
            local = write_project(
                root / f"local{runs}", TRIVIAL_AGENT, inputs=100, iterations=runs // 100,
                parallel_runs=8,
            )  # fmt: skip
            command = command_project(root / f"command{runs}", runs)
            timings[runs] = (best(local), best(command))
        traces = next((root / f"command{RUNS}").glob("experiments/*/traces.jsonl"))
        outputs = {json.loads(line)["output"] for line in traces.open()}
        assert len(outputs) == 100 and all(o.startswith("Processed: ") for o in outputs)
    (local_small, command_small), (local_all, command_all) = timings[SMALL], timings[RUNS]
    per_local = (local_all - local_small) / (RUNS - SMALL) * 1e6
    per_command = (command_all - command_small) / (RUNS - SMALL) * 1e6
    print(f"{RUNS:,} runs at parallel 8, best of {ROUNDS}:")
    print(f"  in-process Python target: {local_all:6.2f} s  ({SMALL} runs: {local_small:.2f} s)")
    print(
        f"  jsonl command target:     {command_all:6.2f} s  ({SMALL} runs: {command_small:.2f} s)"
    )
    print(
        f"per run beyond start-up: {per_local:5.0f} µs in-process, {per_command:5.0f} µs "
        f"command ({per_command / per_local:.2f}×; bar: ≤ 2×)"
    )


if __name__ == "__main__":
    main()
