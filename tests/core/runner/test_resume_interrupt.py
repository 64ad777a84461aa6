"""Ctrl-C, SIGTERM and the CancelToken keep every finished run; --resume finishes the rest."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from executor_helpers import wait_for_lines

from fluxloop_core.runner.events import ExperimentStarted, RunFinished, RunnerEvent
from fluxloop_core.runner.experiment import CancelToken, RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

SLOW_AGENT = """
import time

def run(text):
    time.sleep(0.02)
    return text
"""

SETTING = """
name: long
runner:
  target: "agent:run"
base_inputs: ["a", "b", "c", "d"]
iterations: 100
parallel_runs: 2
"""


def start(project: Project, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--no-collector", *args],
        cwd=project.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_mid_run_keeps_finished_runs_and_exits_130(project: Project, sig: int) -> None:
    project.write("agent.py", SLOW_AGENT)
    project.write("setting.yaml", SETTING)
    process = start(project, "--quiet")

    experiment = wait_for_lines(project, 5, process)
    process.send_signal(sig)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    traces = project.traces(experiment)  # every line whole JSON
    run_ids = [t["run_id"] for t in traces]
    assert len(run_ids) == len(set(run_ids))
    assert 5 <= len(run_ids) < 400
    summary = project.json(experiment / "summary.json")
    assert summary["interrupted"] is True
    assert summary["finished_at"] is not None
    assert summary["results"]["total_runs"] == len(run_ids)
    assert summary["planned_runs"] == 400


def test_resume_runs_only_what_is_missing(project: Project) -> None:
    project.write("agent.py", SLOW_AGENT)
    project.write("setting.yaml", SETTING.replace("iterations: 100", "iterations: 25"))
    process = start(project, "--quiet")
    experiment = wait_for_lines(project, 3, process)
    process.send_signal(signal.SIGINT)
    process.communicate(timeout=60)
    before = project.traces(experiment)
    # A hard kill can leave a torn last line; resume must cut it and redo that run.
    with open(experiment / "traces.jsonl", "a", encoding="utf-8") as handle:
        handle.write('{"run_id": "3.24", "input_ind')

    resumed = project.cli(
        "run", "experiment", "--resume", str(experiment), "--no-collector", "--json", "--quiet"
    )

    assert resumed.returncode == 0, resumed.stderr
    traces = project.traces(experiment)
    run_ids = [t["run_id"] for t in traces]
    assert sorted(run_ids) == sorted(f"{i}.{n}" for i in range(4) for n in range(25))
    assert traces[: len(before)] == before
    summary = json.loads(resumed.stdout)
    assert summary["resumed"] is True
    assert summary["interrupted"] is False
    assert summary["results"]["total_runs"] == 100
    assert project.json(experiment / "summary.json")["results"]["successful"] == 100
    assert len(project.experiments()) == 1


def test_resume_without_a_config_finds_the_project_from_the_folder(
    project: Project, tmp_path: Path
) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config(SETTING.replace("iterations: 100", "iterations: 3"))
    token = CancelToken()
    token.cancel()  # cancelled before it starts: nothing runs, the folder is resumable
    first = run_experiment(loaded, RunOptions(use_collector=False), cancel=token)
    assert first.summary.interrupted is True
    assert first.summary.results.total_runs == 0

    result = subprocess.run(
        [
            *(sys.executable, "-m", "fluxloop_core", "run", "experiment", "--quiet"),
            *("--no-collector", "--resume", str(first.experiment_dir)),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert len(project.traces(first.experiment_dir)) == 12


def test_cancel_token_from_another_thread_stops_gracefully(project: Project) -> None:
    project.write("agent.py", SLOW_AGENT)
    loaded = project.config(SETTING)
    token = CancelToken()
    finished: list[str] = []

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, RunFinished):
            finished.append(event.run_id)
            if len(finished) == 6:
                threading.Thread(target=token.cancel).start()

    options = RunOptions(use_collector=False)
    result = run_experiment(loaded, options, on_event=on_event, cancel=token)

    assert token.cancelled and not token.forced
    assert result.summary.interrupted is True
    traces = project.traces(result.experiment_dir)
    assert sorted(t["run_id"] for t in traces) == sorted(finished)
    assert result.summary.results.total_runs == len(finished) < 400


def test_a_cancel_does_not_start_runs_queued_for_busy_threads(project: Project) -> None:
    # parallel_runs 1: runs wait in the pool's queue; after a cancel, only the run already
    # in its thread may finish, and nothing queued starts.
    project.write(
        "agent.py",
        """
        import time
        from pathlib import Path

        def run(text):
            with Path("started.log").open("a") as log:
                log.write(text + "\\n")
            time.sleep(0.05)
            return text
        """,
    )
    loaded = project.config(SETTING.replace("parallel_runs: 2", "parallel_runs: 1"))
    token = CancelToken()

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, RunFinished):
            token.cancel()

    result = run_experiment(
        loaded, RunOptions(use_collector=False), on_event=on_event, cancel=token
    )

    started = (project.dir / "started.log").read_text().splitlines()
    assert result.summary.interrupted is True
    assert result.summary.results.total_runs == len(project.traces(result.experiment_dir))
    assert len(started) <= result.summary.results.total_runs + 1 <= 3


def test_a_graceful_stop_ends_when_the_runs_in_flight_end(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The grace period is an upper bound, not a wait: with runs of 20 ms and a grace of
    # 10 minutes, the experiment must be back long before the grace would run out.
    import fluxloop_core.runner.scheduler as scheduler

    monkeypatch.setattr(scheduler, "GRACE_SECONDS", 600.0)
    project.write("agent.py", SLOW_AGENT)
    loaded = project.config(SETTING)
    token = CancelToken()
    stopped_at: list[float] = []

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, RunFinished) and not stopped_at:
            stopped_at.append(time.monotonic())
            threading.Thread(target=token.cancel).start()

    result = run_experiment(
        loaded, RunOptions(use_collector=False), on_event=on_event, cancel=token
    )

    assert result.summary.interrupted is True
    assert time.monotonic() - stopped_at[0] < 60


def test_a_second_cancel_stops_at_once_without_writing_unfinished_runs(project: Project) -> None:
    release = project.dir / "release"
    project.write(
        "agent.py",
        f"""
        import time
        from pathlib import Path

        def run(text):
            deadline = time.monotonic() + 60
            while text == "stuck" and not Path({str(release)!r}).exists():
                if time.monotonic() > deadline:
                    break
                time.sleep(0.01)
            return text
        """,
    )
    loaded = project.config(
        SETTING.replace('["a", "b", "c", "d"]', '["stuck", "a"]').replace(
            "iterations: 100", "iterations: 1"
        )
    )
    token = CancelToken()

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, RunFinished):
            token.cancel()
            token.cancel()

    try:
        result = run_experiment(
            loaded, RunOptions(use_collector=False), on_event=on_event, cancel=token
        )
    finally:
        release.touch()  # let the abandoned call end

    assert token.forced
    traces = project.traces(result.experiment_dir)
    assert [t["input"] for t in traces] == ["a"]
    assert result.summary.interrupted is True


def cancelled_experiment(project: Project, iterations: int) -> Path:
    """An experiment folder with nothing run yet (cancelled before it started)."""
    loaded = project.config(SETTING.replace("iterations: 100", f"iterations: {iterations}"))
    token = CancelToken()
    token.cancel()
    return run_experiment(loaded, RunOptions(use_collector=False), cancel=token).experiment_dir


def test_a_resume_of_a_folder_another_run_writes_is_refused(project: Project) -> None:
    project.write("agent.py", SLOW_AGENT)
    experiment = cancelled_experiment(project, 2)
    holder = subprocess.Popen(
        [
            *(sys.executable, "-c"),
            "import sys; from pathlib import Path; "
            "from fluxloop_core.results.lock import FolderLock; "
            "lock = FolderLock(Path(sys.argv[1])); print('held', flush=True); sys.stdin.read()",
            str(experiment),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        refused = project.cli("run", "experiment", "--resume", str(experiment), "--no-collector")
    finally:
        holder.communicate("")

    assert refused.returncode == 2, refused.stderr
    assert str(experiment) in refused.stderr and f"pid {holder.pid}" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert project.traces(experiment) == []


def test_two_resumes_at_once_write_every_run_once(project: Project) -> None:
    project.write("agent.py", SLOW_AGENT)
    experiment = cancelled_experiment(project, 20)
    resumes = [start(project, "--quiet", "--resume", str(experiment)) for _ in range(2)]
    outcomes = [(p.communicate(timeout=120)[1], p.returncode) for p in resumes]

    codes = sorted(code for _, code in outcomes)
    assert codes in ([0, 0], [0, 2]), outcomes  # [0, 0]: one ended before the other began
    run_ids = [t["run_id"] for t in project.traces(experiment)]
    assert sorted(run_ids) == sorted(f"{i}.{n}" for i in range(4) for n in range(20))
    summary = project.json(experiment / "summary.json")
    assert summary["results"]["total_runs"] == len(run_ids) == 80


def test_the_folder_lock_is_let_go_when_the_run_fails(project: Project) -> None:
    # A long-lived front end (the TUI) must be able to resume a folder whose run failed.
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config(SETTING.replace("iterations: 100", "iterations: 2"))

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, ExperimentStarted):
            raise RuntimeError("a front end's bug")

    # The error is kept (as a front end showing it would), and with it the failed call's
    # frames: the lock must not wait for the garbage collector.
    with pytest.raises(RuntimeError) as failed:
        run_experiment(loaded, RunOptions(use_collector=False), on_event=on_event)
    [folder] = project.experiments()

    resumed = run_experiment(loaded, RunOptions(use_collector=False, resume_dir=folder))
    assert failed.value.args == ("a front end's bug",)
    assert resumed.summary.results.total_runs == 8
    assert len(project.traces(folder)) == 8
