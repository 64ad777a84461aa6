"""executor: ray — on a real local Ray (one per module): same traces as local, nothing
secret shipped, a killed actor, cancel then resume, no actor or Ray process left behind.

Marked ``ray``: skipped when the extra is not installed (``pip install -e ".[dev,ray]"``).
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from executor_helpers import (
    DYING_AGENT,
    stopped_after_a_run,
    traces_under,
)
from ray_cluster import (
    Cluster,
    free_port,
    ray_processes,
    wait_for_no_processes,
)

if importlib.util.find_spec("ray") is None:
    pytest.skip("the [ray] extra is not installed", allow_module_level=True)

from fluxloop_core.errors import TargetError
from fluxloop_core.runner.events import RunnerEvent, RunStarted
from fluxloop_core.runner.experiment import CancelToken, RunOptions, run_experiment

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_environment")]

Project = Any  # the `project` fixture of conftest.py
ACTOR = "ray::RunActor"


@pytest.fixture(autouse=True)
def _no_actor_left() -> Iterator[None]:
    yield
    assert wait_for_no_processes(ACTOR) == []


def on(cluster: Cluster, **options: Any) -> RunOptions:
    return RunOptions(use_collector=False, ray_address=cluster.address, **options)


def test_ray_leaves_the_same_traces_as_local(
    project: Project, tmp_path: Path, cluster: Cluster
) -> None:
    traces = traces_under(project, tmp_path, "ray", on(cluster))

    assert traces["ray"] == traces["local"]
    statuses = sorted(t["status"] for t in traces["ray"])
    assert statuses == ["error", "success", "success", "success", "success", "timeout"]


SHIPPED_AGENT = """
import os

def run(text):
    shipped = sorted(
        os.path.relpath(os.path.join(folder, name), ".")
        for folder, _, names in os.walk(".")
        for name in names
        if "__pycache__" not in folder  # written here by importing this module
    )
    return {"files": shipped, "given": os.environ.get("GIVEN"), "dotenv": os.environ.get("SECRET")}
"""


def test_only_the_code_ships_never_the_secrets(project: Project, cluster: Cluster) -> None:
    project.write("agent.py", SHIPPED_AGENT)
    project.write("helpers/util.py", "X = 1\n")
    project.write(".env", "SECRET=hunter2\n")
    project.write(".env.local", "SECRET=hunter3\n")
    project.write("helpers/.env", "SECRET=hunter4\n")
    project.write(".git/config", "[core]\n")
    project.write("experiments/old/traces.jsonl", "{}\n")
    project.write("data/huge.bin", "not for the cluster\n")
    loaded = project.config(
        """
name: shipping
runner:
  target: "agent:run"
  executor: ray
  environment_vars: {GIVEN: "yes"}
  ray:
    excludes: ["data/"]
base_inputs: ["a"]
"""
    )

    result = run_experiment(loaded, on(cluster))

    (trace,) = project.traces(result.experiment_dir)
    assert trace["status"] == "success", trace["error"]
    output = trace["output"]
    assert output["files"] == ["agent.py", "helpers/util.py", "setting.yaml"]
    assert (output["given"], output["dotenv"]) == ("yes", None)


def dying_experiment(project: Project, state: Path, inputs: str, retries: int) -> Any:
    project.write("agent.py", DYING_AGENT)
    # Two actors, batches of one: the run that kills its actor has no run queued behind
    # it (those would die with it, and be recorded so too).
    return project.config(
        f"""
name: dying
runner:
  target: "agent:run"
  executor: ray
  max_retries: {retries}
  retry_delay: 0
  environment_vars: {{STATE: "{state}"}}
  ray: {{num_actors: 2, batch_size: 1}}
base_inputs: {inputs}
parallel_runs: 2
"""
    )


def test_a_killed_actor_fails_its_run_and_the_experiment_goes_on(
    project: Project, tmp_path: Path, cluster: Cluster
) -> None:
    loaded = dying_experiment(project, tmp_path, '["dies", "a"]', retries=0)

    result = run_experiment(loaded, on(cluster))

    traces = {t["input"]: t for t in project.traces(result.experiment_dir)}
    assert traces["a"]["status"] == "success"
    dead = traces["dies"]
    assert (dead["status"], dead["attempts"], dead["error"]["type"]) == (
        "error",
        1,
        "RayActorDied",
    )
    assert dead["error"]["message"].startswith(
        "the Ray actor running this run died before the run finished: "
    )


def test_a_run_whose_actor_died_is_retried_under_max_retries(
    project: Project, tmp_path: Path, cluster: Cluster
) -> None:
    loaded = dying_experiment(project, tmp_path, '["dies once"]', retries=1)

    result = run_experiment(loaded, on(cluster))

    (trace,) = project.traces(result.experiment_dir)
    assert (trace["status"], trace["attempts"], trace["output"]) == ("success", 2, "dies once")


def test_a_target_the_actors_cannot_load_stops_before_any_run(
    project: Project, cluster: Cluster
) -> None:
    # It imports here, but reads at import a file that runner.ray.excludes keeps home.
    project.write(
        "agent.py", "SETTING = open('data/setting.txt').read()\n\ndef run(text):\n    return text\n"
    )
    project.write("data/setting.txt", "x\n")
    loaded = project.config(
        'name: unloadable\nrunner:\n  target: "agent:run"\n  executor: ray\n'
        '  ray: {excludes: ["data/"]}\nbase_inputs: ["a"]\n'
    )

    with pytest.raises(TargetError) as caught:
        run_experiment(loaded, on(cluster))

    assert caught.value.key == "runner.target"
    assert "the Ray actors could not load agent:run: FileNotFoundError" in caught.value.message
    (folder,) = project.experiments()
    assert project.traces(folder) == []


def test_a_cancel_keeps_finished_runs_and_a_resume_under_ray_finishes(
    project: Project, cluster: Cluster
) -> None:
    project.write(
        "agent.py", "import time\n\ndef run(text):\n    time.sleep(0.05)\n    return text\n"
    )
    loaded = project.config(
        'name: resumed\nrunner:\n  target: "agent:run"\n  executor: ray\n'
        'base_inputs: ["a", "b", "c"]\niterations: 10\nparallel_runs: 2\n'
    )
    first = stopped_after_a_run(loaded, on(cluster))
    assert wait_for_no_processes(ACTOR) == []

    second = run_experiment(loaded, on(cluster, resume_dir=first.experiment_dir))

    run_ids = sorted(t["run_id"] for t in project.traces(first.experiment_dir))
    assert run_ids == sorted(f"{i}.{n}" for i in range(3) for n in range(10))
    assert second.summary.interrupted is False


def test_a_second_cancel_kills_the_actors_and_writes_no_unfinished_run(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.py", "import time\n\ndef run(text):\n    time.sleep(120)\n")
    loaded = project.config(
        'name: stuck\nrunner:\n  target: "agent:run"\n  executor: ray\n'
        'base_inputs: ["a", "b"]\nparallel_runs: 2\n'
    )
    token = CancelToken()

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, RunStarted) and event.run_id == "1.0":
            token.cancel()
            token.cancel()

    result = run_experiment(loaded, on(cluster), on_event=on_event, cancel=token)

    assert result.summary.interrupted is True
    assert project.traces(result.experiment_dir) == []
    # The autouse check: the actors, still running their 120 s calls, were killed.


def test_sigterm_from_the_cli_stops_gracefully_after_ray_started(
    project: Project, cluster: Cluster
) -> None:
    # ray.init installs its own SIGTERM handler on the main thread: the runner's must stay.
    project.write(
        "agent.py", "import time\n\ndef run(text):\n    time.sleep(0.3)\n    return text\n"
    )
    project.write(
        "setting.yaml",
        'name: term\nrunner:\n  target: "agent:run"\n  executor: ray\n'
        'base_inputs: ["a", "b"]\niterations: 50\nparallel_runs: 2\n',
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--no-collector", "--quiet",
         "--ray-address", cluster.address],
        cwd=project.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    traces = [p / "traces.jsonl" for p in project.experiments()]
    while not any(t.exists() and t.stat().st_size for t in traces):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.05)
        traces = [p / "traces.jsonl" for p in project.experiments()]

    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 130, stderr
    (folder,) = project.experiments()
    summary = project.json(folder / "summary.json")
    assert summary["interrupted"] is True
    assert 1 <= summary["results"]["total_runs"] == len(project.traces(folder)) < 100


def test_an_address_where_nothing_listens_is_exit_2_at_once(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    project.write(
        "setting.yaml",
        'name: nowhere\nrunner:\n  target: "agent:run"\n  executor: ray\nbase_inputs: ["a"]\n',
    )

    result = project.cli(
        "run", "experiment", "--no-collector", "--ray-address", f"127.0.0.1:{free_port()}"
    )

    assert result.returncode == 2, result.stderr
    assert "runner.ray.address: nothing answers at the Ray address 127.0.0.1:" in result.stderr
    assert "Traceback" not in result.stderr


def test_without_an_address_a_local_ray_starts_and_stops(
    project: Project, cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    before = set(ray_processes("raylet"))
    project.write("agent.py", "import os\n\ndef run(text):\n    return os.getpid()\n")
    loaded = project.config(
        'name: own\nrunner:\n  target: "agent:run"\n  executor: ray\n'
        'base_inputs: ["a", "b"]\nparallel_runs: 2\n'
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    assert result.summary.results.successful == 2
    # Its raylet (and every process of its session) is gone, and so is its temp folder.
    assert wait_for_no_new_raylet(before) <= before
    sessions = [
        p for p in Path("/tmp").glob("flr-*/session_*") if cluster.temp_dir not in p.parents
    ]
    assert sessions == []


def wait_for_no_new_raylet(before: set[int]) -> set[int]:
    """The raylets running once those started since ``before`` ended (or a minute passed)."""
    deadline = time.monotonic() + 60
    while (now := set(ray_processes("raylet"))) - before and time.monotonic() < deadline:
        time.sleep(0.1)
    return now


def test_parallel_runs_is_split_over_the_actors_as_evenly_as_whole_runs_allow() -> None:
    from fluxloop_core.runner.ray_executor import shares

    assert shares(2, 2) == [1, 1]
    assert shares(7, 3) == [3, 2, 2]
    assert shares(64, 5) == [13, 13, 13, 13, 12]
    assert sum(shares(1000, 7)) == 1000
