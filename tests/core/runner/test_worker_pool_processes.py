"""executor: processes — runs in worker processes of this interpreter, same results as local."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from executor_helpers import (
    DYING_AGENT,
    stopped_after_a_run,
    traces_under,
)

from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py


def test_processes_leave_the_same_traces_as_local(project: Project, tmp_path: Path) -> None:
    traces = traces_under(project, tmp_path, "processes", RunOptions(use_collector=False))

    local = traces["local"]
    assert traces["processes"] == local
    # What the comparison covered (so an experiment that lost its variety fails here).
    by_input = {t["input"]: t for t in local}
    assert [t["run_id"] for t in local] == ["0.0", "1.0", "2.0", "3.0", "4.0", "5.0"]
    assert by_input["a"]["output"] == {
        "text": "A",
        "looked_up": "value of a",
        "tag": "t0",
        "n": [1, 2.5],
    }
    assert (by_input["boom"]["status"], by_input["boom"]["attempts"]) == ("error", 2)
    assert by_input["boom"]["error"]["traceback"].startswith(
        'Traceback (most recent call last):\n  File "'
    )
    assert "agent.py" in by_input["boom"]["error"]["traceback"].splitlines()[1]
    assert by_input["slow"]["status"] == "timeout"
    assert by_input["slow"]["error"]["message"] == "run exceeded timeout_seconds=1"
    assert (by_input["flaky"]["status"], by_input["flaky"]["attempts"]) == ("success", 2)
    assert by_input["b"]["callback_calls"][0]["args"] == [{"got": "b"}]
    assert by_input["b"]["replay_source"]["line_number"] == 1


def test_the_executor_key_takes_only_known_values(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    project.write(
        "setting.yaml",
        'name: x\nrunner:\n  target: "agent:run"\n  executor: threads\nbase_inputs: ["a"]\n',
    )

    result = project.cli("run", "experiment", "--no-collector")

    assert result.returncode == 2
    assert (
        "setting.yaml:4:3: runner.executor: must be 'local', 'processes' or 'ray' (got 'threads')"
        in result.stderr
    )
    assert "Traceback" not in result.stderr


CPU_AGENT = """
import os

def run(text):
    total = 0
    for number in range(20000):
        total += number
    return {"pid": os.getpid(), "total": total}
"""


def test_executor_flag_overrides_the_config(project: Project) -> None:
    project.write("agent.py", CPU_AGENT)
    project.write(
        "setting.yaml",
        'name: x\nrunner:\n  target: "agent:run"\nbase_inputs: ["a", "b", "c", "d"]\n'
        "parallel_runs: 2\n",
    )

    result = project.cli(
        "run", "experiment", "--no-collector", "--executor", "processes", "--json", "--quiet"
    )

    assert result.returncode == 0, result.stderr
    folder = Path(json.loads(result.stdout)["experiment_dir"])
    pids = {t["output"]["pid"] for t in project.traces(folder)}
    assert os.getpid() not in pids
    assert 1 <= len(pids) <= 2  # parallel_runs workers at most
    assert not any(alive(pid) for pid in pids)


def alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (not gone, not a zombie waiting for its parent)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "State:\tZ" not in status


@pytest.mark.parametrize("retries", [0, 1])
def test_a_worker_killed_mid_run_fails_that_run_and_the_experiment_goes_on(
    project: Project, tmp_path: Path, retries: int
) -> None:
    project.write("agent.py", DYING_AGENT)
    loaded = project.config(
        f"""
name: dying
runner:
  target: "agent:run"
  executor: processes
  max_retries: {retries}
  retry_delay: 0
  environment_vars: {{STATE: "{tmp_path}"}}
base_inputs: ["a", "dies", "b", "dies once", "c", "d"]
parallel_runs: 2
"""
    )  # one iteration: "dies once" is marked by its text, so it must run once

    result = run_experiment(loaded, RunOptions(use_collector=False))

    traces = {t["run_id"]: t for t in project.traces(result.experiment_dir)}
    assert len(traces) == 6
    for run_id in ("0.0", "2.0", "4.0", "5.0"):
        assert traces[run_id]["status"] == "success"
    dead = traces["1.0"]
    assert (dead["status"], dead["error"]["type"]) == ("error", "WorkerFailed")
    assert dead["error"]["message"] == (
        "the worker process running this run was killed by signal SIGKILL before the run finished"
    )
    assert dead["attempts"] == retries + 1
    once = traces["3.0"]
    assert (once["status"], once["attempts"]) == (("success", 2) if retries else ("error", 1))


SLEEPY_AGENT = """
import os
import time
from pathlib import Path

def run(text):
    Path(os.environ["STATE"], str(os.getpid())).touch()
    Path(os.environ["STATE"], "started-" + text).touch()
    time.sleep(float(os.environ["NAP"]))
    return text
"""


def start_cli(project: Project, state: Path, nap: float) -> subprocess.Popen[str]:
    project.write("agent.py", SLEEPY_AGENT)
    project.write(
        "setting.yaml",
        f"""
name: sleepy
runner:
  target: "agent:run"
  executor: processes
  environment_vars: {{STATE: "{state}", NAP: "{nap}"}}
base_inputs: ["a", "b", "c", "d", "e", "f"]
iterations: 3
parallel_runs: 2
""",
    )
    return subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--no-collector", "--quiet"],
        cwd=project.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_until(condition: Any, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while not condition():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)


def worker_pids(state: Path) -> set[int]:
    return {int(path.name) for path in state.iterdir() if path.name.isdigit()}


def running_cli(project: Project, tmp_path: Path, nap: float) -> tuple[Any, Path]:
    """The CLI running the sleepy experiment, once both workers have started a run."""
    state = tmp_path / "state"
    state.mkdir()
    process = start_cli(project, state, nap)
    wait_until(lambda: len(worker_pids(state)) == 2, process)
    return process, state


def test_first_ctrl_c_lets_running_runs_finish_then_exits_130(
    project: Project, tmp_path: Path
) -> None:
    process, state = running_cli(project, tmp_path, nap=0.5)

    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    (folder,) = project.experiments()
    traces = project.traces(folder)
    started = {p.name.removeprefix("started-") for p in state.glob("started-*")}
    # The runs in flight at the Ctrl-C finished and were written; nothing new started.
    assert {t["input"] for t in traces} == started
    assert all(t["status"] == "success" for t in traces)
    assert 2 <= len(traces) < 18
    summary = project.json(folder / "summary.json")
    assert summary["interrupted"] is True
    assert summary["results"]["total_runs"] == len(traces)
    assert not any(alive(pid) for pid in worker_pids(state))


def test_second_ctrl_c_kills_the_workers_and_leaves_no_process(
    project: Project, tmp_path: Path
) -> None:
    process, state = running_cli(project, tmp_path, nap=120)

    process.send_signal(signal.SIGINT)
    time.sleep(0.2)  # two separate presses
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    (folder,) = project.experiments()
    assert project.traces(folder) == []  # the runs killed mid-way are not written
    assert project.json(folder / "summary.json")["interrupted"] is True
    assert not any(alive(pid) for pid in worker_pids(state))


def test_an_experiment_stopped_under_processes_resumes_under_local(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text * 2\n")
    loaded = project.config(
        'name: mixed\nrunner:\n  target: "agent:run"\n  executor: processes\n'
        'base_inputs: ["a", "b", "c"]\niterations: 10\nparallel_runs: 2\n'
    )
    first = stopped_after_a_run(loaded, RunOptions(use_collector=False))

    second = run_experiment(
        loaded, RunOptions(use_collector=False, resume_dir=first.experiment_dir, executor="local")
    )

    traces = project.traces(first.experiment_dir)
    assert sorted(t["run_id"] for t in traces) == sorted(
        f"{i}.{n}" for i in range(3) for n in range(10)
    )
    assert all(t["output"] == t["input"] * 2 for t in traces)
    assert second.summary.interrupted is False
    assert second.summary.results.total_runs == 30
