"""SIGKILL, the one signal nothing can handle: the whole `fluxloop` process killed at random
moments, resumed each time, ends with every run on disk exactly once, counted as many times
as there are lines — and readers report what is on disk in between."""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from fluxloop_core.results.reader import iter_traces, list_experiments

Project = Any  # the `project` fixture of conftest.py

INPUTS = 8
ITERATIONS = 40
KILLS = 10
SETTING = f"""
name: killed
runner:
  target: "agent:run"
base_inputs: {[f"input {i}" for i in range(INPUTS)]}
iterations: {ITERATIONS}
parallel_runs: 2
"""


def start(project: Project, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--no-collector", *args],
        cwd=project.dir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def lines_in(folder: Path | None) -> int:
    if folder is None or not (folder / "traces.jsonl").exists():
        return 0
    return (folder / "traces.jsonl").read_bytes().count(b"\n")


def kill_after_growth(
    project: Project, process: subprocess.Popen[bytes], folder: Path | None, growth: int
) -> Path | None:
    """SIGKILL ``process`` once its experiment gained ``growth`` lines (or it ended)."""
    floor = lines_in(folder)
    deadline = time.monotonic() + 60
    while process.poll() is None and time.monotonic() < deadline:
        found = folder or next(iter(project.experiments()), None)
        if found is not None and lines_in(found) >= floor + growth:
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert b"Traceback" not in stderr, stderr.decode(errors="replace")
    return folder or next(iter(project.experiments()), None)


def assert_readers_report_the_disk(folder: Path) -> None:
    on_disk = {record.run_id for record in iter_traces(folder)}
    [listing] = list_experiments(folder.parent)
    if listing.summary is not None:  # a kill before the first checkpoint leaves none
        assert listing.summary.results.total_runs == len(on_disk)


def test_sigkill_at_random_moments_then_resume_loses_and_doubles_nothing(
    project: Project,
) -> None:
    project.write(
        "agent.py", "import time\n\ndef run(text):\n    time.sleep(0.01)\n    return text\n"
    )
    project.write("setting.yaml", SETTING)
    rng = random.Random(12)
    folder: Path | None = None

    for _ in range(KILLS):
        args = (
            ("--resume", str(folder))
            if folder is not None and (folder / "summary.json").exists()
            else ()
        )
        if folder is not None and not args:
            # Killed before its first checkpoint: no summary and no run yet, so there is
            # nothing to resume (README); such a folder is removed and the run starts anew.
            shutil.rmtree(folder)
            folder = None
        process = start(project, "--quiet", *args)
        folder = kill_after_growth(project, process, folder, rng.randint(0, 40))
        if folder is not None:
            assert_readers_report_the_disk(folder)

    assert folder is not None
    final = start(project, "--quiet", "--resume", str(folder))
    _, stderr = final.communicate(timeout=120)

    assert final.returncode == 0, stderr.decode(errors="replace")
    assert len(project.experiments()) == 1
    run_ids = [t["run_id"] for t in project.traces(folder)]  # whole lines only
    expected = sorted(f"{i}.{n}" for i in range(INPUTS) for n in range(ITERATIONS))
    assert sorted(run_ids) == expected  # every run exactly once
    summary = project.json(folder / "summary.json")
    assert summary["results"]["total_runs"] == len(run_ids) == INPUTS * ITERATIONS
    assert summary["interrupted"] is False


def test_workers_exit_quietly_when_the_runner_is_killed(project: Project, tmp_path: Path) -> None:
    started = tmp_path / "started"
    project.write(
        "agent.py",
        f"""
        import time
        from pathlib import Path

        def run(text):
            Path({str(started)!r}).touch()
            time.sleep(600)  # only the runner's death ends this worker
            return text
        """,
    )
    project.write(
        "setting.yaml",
        f'name: workers\nrunner:\n  target: "agent:run"\n  python_path: "{sys.executable}"\n'
        'base_inputs: ["a", "b"]\nparallel_runs: 2\n',
    )
    process = start(project, "--quiet")
    deadline = time.monotonic() + 60
    while not started.exists() and time.monotonic() < deadline:
        assert process.poll() is None
        time.sleep(0.02)

    process.send_signal(signal.SIGKILL)
    # The workers share the runner's stderr: it ends only when every worker has exited.
    _, stderr = process.communicate(timeout=60)

    assert b"Traceback" not in stderr and b"Error" not in stderr, stderr.decode()
