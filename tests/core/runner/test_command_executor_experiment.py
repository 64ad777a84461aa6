"""runner.command from the CLI: an experiment against tests/command_agents/agent.py (and its
JavaScript twin), graded by checks that read the answers' usage and spans, compared, and
told by ``--dry-run``, ``status check`` and ``config validate``."""

from __future__ import annotations

import importlib.util
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

AGENTS = Path(__file__).resolve().parents[2] / "command_agents"
PYTHON_AGENT = [sys.executable, str(AGENTS / "agent.py")]
JS_AGENT = ["node", str(AGENTS / "agent.js")]
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

Project = Any  # the `project` fixture of conftest.py


def setting(argv: list[str], *extra: str, name: str = "cmd") -> str:
    lines = [
        f"name: {name}",
        "runner:",
        f"  command: {json.dumps(argv)}",
        *extra,
        "iterations: 2",
        "parallel_runs: 2",
        'base_inputs: ["hi", "a longer input here"]',
        "evaluation:",
        "  checks:",
        "    - {check: token_usage_under, max_tokens: 15}",
        "    - {check: tool_called, name: lookup}",
    ]
    return "\n".join(lines) + "\n"


def run(project: Project, text: str, config: str = "setting.yaml") -> dict[str, Any]:
    project.write(config, text)
    done = project.cli("run", "experiment", "--config", config, "--no-collector", "--json")
    assert done.returncode == 1, done.stderr  # "a longer input here" fails its token bar
    assert "Traceback" not in done.stderr
    summary: dict[str, Any] = json.loads(done.stdout)
    return summary


@needs_node
def test_usage_and_spans_of_answers_are_graded_and_compared(project: Project) -> None:
    python = run(project, setting(PYTHON_AGENT, name="py"), "py.yaml")
    javascript = run(project, setting(JS_AGENT, name="js"), "js.yaml")
    for summary in (python, javascript):
        folder = Path(summary["experiment_dir"])
        traces = project.traces(folder)
        assert sorted((t["input"], t["output"]) for t in traces) == [
            ("a longer input here", "echo: a longer input here"),
            ("a longer input here", "echo: a longer input here"),
            ("hi", "echo: hi"),
            ("hi", "echo: hi"),
        ]
        tokens = {
            t["input"]: (t["usage"]["input_tokens"], t["usage"]["output_tokens"]) for t in traces
        }
        assert tokens == {"hi": (2, 7), "a longer input here": (19, 7)}
        evaluation = summary["evaluation"]
        assert (evaluation["passed_runs"], evaluation["graded_runs"]) == (2, 4)

    compared = project.cli(
        "compare", python["experiment_dir"], javascript["experiment_dir"], "--json"
    )
    assert compared.returncode == 0, compared.stderr
    inputs = json.loads(compared.stdout)["inputs"]
    found = {i["input"]: (i["state"], i["before"]["passed"], i["after"]["passed"]) for i in inputs}
    assert found == {"hi": ("unchanged", 2, 2), "a longer input here": ("unchanged", 0, 0)}


def test_dry_run_and_status_tell_the_program(project: Project) -> None:
    project.write("setting.yaml", setting(PYTHON_AGENT, "  protocol: per_run"))
    dry = project.cli("run", "experiment", "--config", "setting.yaml", "--dry-run", "--json")
    assert dry.returncode == 0, dry.stderr
    plan = json.loads(dry.stdout)
    assert plan["command"]["protocol"] == "per_run"
    assert plan["command"]["program"] == sys.executable
    assert plan["runs_in"] == "this process: the program started once per run (per_run)"
    assert plan["target"].endswith("agent.py")
    assert project.experiments() == []  # nothing run, nothing written

    status = project.cli("status", "check", "--config", "setting.yaml", "--json")
    assert status.returncode == 0, status.stdout + status.stderr
    (target,) = [c for c in json.loads(status.stdout) if c["name"] == "target"]
    assert target["level"] == "ok"
    assert target["message"].endswith(f"program found at {sys.executable}")


@pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="needs the [ray] extra")
def test_dry_run_tells_programs_on_ray_actors(project: Project) -> None:
    project.write("setting.yaml", setting(PYTHON_AGENT, "  executor: ray"))
    dry = project.cli(
        "run", "experiment", "--dry-run", "--json", "--ray-address", "127.0.0.1:9"
    )  # nothing is contacted: the address is only told
    assert dry.returncode == 0, dry.stderr
    said = json.loads(dry.stdout)["runs_in"]
    assert (
        said
        == "the actors of Ray at 127.0.0.1:9: 2 long-lived copies of the program in all (jsonl)"
    )
    assert project.experiments() == []


def test_a_missing_program_stops_the_run_before_anything_is_written(project: Project) -> None:
    project.write("setting.yaml", setting(["no-such-agent-program", "x"]))
    for args in (
        ("run", "experiment", "--config", "setting.yaml", "--no-collector"),
        ("run", "experiment", "--config", "setting.yaml", "--dry-run"),
        ("config", "validate", "--config", "setting.yaml"),
    ):
        done = project.cli(*args)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        said = done.stdout + done.stderr
        assert "'no-such-agent-program' of runner.command is not found" in said, said
        assert "setting.yaml" in said and "Traceback" not in said
    status = project.cli("status", "check", "--config", "setting.yaml")
    assert status.returncode == 2
    assert "no-such-agent-program" in status.stdout + status.stderr
    assert project.experiments() == []


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["  executor: processes"], "executor processes is not used with runner.command"),
        (["  executor: processes"], "or executor ray to run them on a cluster's nodes"),
        (["  target: agent:run"], "not target and command"),
        (["  python_path: /usr/bin/python3"], "python_path is for Python targets"),
    ],
)
def test_what_command_targets_cannot_do_is_refused_by_name(
    project: Project, extra: list[str], words: str
) -> None:
    project.write("setting.yaml", setting(PYTHON_AGENT, *extra))
    done = project.cli("run", "experiment", "--config", "setting.yaml", "--no-collector")
    assert done.returncode == 2, done.stderr
    assert words in done.stdout + done.stderr
    assert project.experiments() == []
