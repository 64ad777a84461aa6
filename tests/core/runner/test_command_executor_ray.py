"""executor: ray with runner.command — Ray actors start the programs from the shipped
working_directory — on a real local Ray, with the Python and JavaScript agents of
tests/command_agents copied into the project (so only the shipped copy can run them).

Marked ``ray``: skipped when the extra is not installed (``pip install -e ".[dev,ray]"``).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from executor_helpers import comparable
from ray_cluster import Cluster, wait_for_no_processes
from replay_helpers import write_recording

if importlib.util.find_spec("ray") is None:
    pytest.skip("the [ray] extra is not installed", allow_module_level=True)

from fluxloop_core.errors import TargetError
from fluxloop_core.exit_codes import EXIT_USAGE
from fluxloop_core.runner.experiment import RunOptions, run_experiment

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_environment")]

Project = Any  # the `project` fixture of tests/core/runner/conftest.py
ACTOR = "ray::SpecActor"
AGENTS = Path(__file__).resolve().parents[2] / "command_agents"
TOKEN = "sk-agent-0123456789abcdef"


def setting(argv: list[str], executor: str, protocol: str, inputs: list[str]) -> str:
    return (
        f"name: cmd\nrunner:\n  command: {json.dumps(argv)}\n  protocol: {protocol}\n"
        f"  executor: {executor}\n  ray: {{num_actors: 2}}\n"
        f"base_inputs: {json.dumps(inputs)}\niterations: 2\nparallel_runs: 4\n"
    )


def tagged(*argv: str) -> tuple[list[str], str]:
    """``argv`` with a tag the agents ignore, to find its processes by."""
    tag = f"--tag=cmdray-{uuid.uuid4().hex}"
    return [*argv, tag], tag


def test_ray_actors_run_the_shipped_program_with_the_same_traces_as_local(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.py", (AGENTS / "agent.py").read_text())
    argv, tag = tagged(sys.executable, "agent.py")  # relative: from the shipped copy
    inputs = ["a", "b", "error", "d"]
    traces = {}
    for executor in ("local", "ray"):
        loaded = project.config(setting(argv, executor, "jsonl", inputs), name=f"{executor}.yaml")
        result = run_experiment(
            loaded, RunOptions(use_collector=False, ray_address=cluster.address)
        )
        traces[executor] = project.traces(result.experiment_dir)

    assert comparable(traces["ray"]) == comparable(traces["local"])
    outputs = sorted(str(t["output"]) for t in traces["ray"] if t["status"] == "success")
    assert outputs == sorted(["echo: a", "echo: b", "echo: d"] * 2)
    failed = [t for t in traces["ray"] if t["status"] == "error"]
    assert [t["error"]["message"] for t in failed] == ["bad input"] * 2
    assert all(t["spans"][-1]["name"] == "command.run" for t in traces["ray"])
    assert wait_for_no_processes(ACTOR) == []
    assert wait_for_no_processes(tag) == []


def test_the_program_runs_from_the_shipped_copy_not_this_folder(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.py", (AGENTS / "agent.py").read_text())
    argv, tag = tagged(sys.executable, "agent.py")
    text = setting(argv, "ray", "jsonl", ["a"]).replace(
        "ray: {num_actors: 2}", 'ray: {num_actors: 2, excludes: ["agent.py"]}'
    )

    result = run_experiment(
        project.config(text), RunOptions(use_collector=False, ray_address=cluster.address)
    )

    for trace in project.traces(result.experiment_dir):
        assert trace["status"] == "error" and trace["error"]["type"] == "ProcessExited"
        assert "agent.py" in trace["error"]["traceback"]  # python: can't open file
    assert wait_for_no_processes(ACTOR) == []
    assert wait_for_no_processes(tag) == []


def test_a_program_missing_on_the_nodes_stops_the_experiment_naming_it(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.sh", "#!/bin/sh\nexec cat\n")
    (project.dir / "agent.sh").chmod(0o755)  # found here, but not shipped
    text = setting(["./agent.sh"], "ray", "jsonl", ["a"]).replace(
        "ray: {num_actors: 2}", 'ray: {num_actors: 2, excludes: ["agent.sh"]}'
    )

    with pytest.raises(TargetError, match="not found on this node") as raised:
        run_experiment(
            project.config(text), RunOptions(use_collector=False, ray_address=cluster.address)
        )

    assert raised.value.exit_code == EXIT_USAGE
    assert wait_for_no_processes(ACTOR) == []


def test_a_conversation_on_ray_sends_its_history_each_turn(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.py", (AGENTS / "agent.py").read_text())
    argv, tag = tagged(sys.executable, "agent.py")
    text = setting(argv, "ray", "jsonl", ["hi"]) + (
        "conversation: {enabled: true, max_turns: 4}\n"
        'personas: [{name: brief, follow_ups: [["ok"], ["bye"]]}]\n'
    )

    result = run_experiment(
        project.config(text), RunOptions(use_collector=False, ray_address=cluster.address)
    )

    for trace in project.traces(result.experiment_dir):
        assert [t["content"] for t in trace["turns"]] == [
            "hi",
            "echo: hi [1 messages]",
            "ok",
            "echo: ok [3 messages]",
            "bye",
            "echo: bye [5 messages]",
        ]
    assert wait_for_no_processes(ACTOR) == []
    assert wait_for_no_processes(tag) == []


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_per_run_on_ray_replays_without_the_dotenv_values(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.js", (AGENTS / "agent.js").read_text())
    project.write(".env", f"AGENT_TOKEN={TOKEN}\n")
    write_recording(project.dir / "rec.jsonl", "app:handle", [{"data": {"content": "old"}}])
    argv, tag = tagged("node", "agent.js", "--per-run")
    text = setting(argv, "ray", "per_run", ["new", "die"]) + (
        "replay_args: {enabled: true, recording_file: rec.jsonl, "
        "override_param_path: data.content}\n"
    )

    result = run_experiment(
        project.config(text), RunOptions(use_collector=False, ray_address=cluster.address)
    )

    traces = {(t["input"], t["iteration"]): t for t in project.traces(result.experiment_dir)}
    for iteration in (0, 1):
        assert traces["new", iteration]["output"] == 'echo: new {"data":{"content":"new"}}'
        died = traces["die", iteration]
        assert died["status"] == "error" and died["error"]["type"] == "ProcessFailed"
        # .env's values stay on this machine: the program on the node never saw the token.
        assert "token=undefined" in died["error"]["traceback"]
    assert wait_for_no_processes(ACTOR) == []
    assert wait_for_no_processes(tag) == []
