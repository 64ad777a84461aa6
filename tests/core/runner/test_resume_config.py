"""`run experiment --resume DIR` continues the experiment stored in DIR: its own config
(environment values read afresh), and never a config that would run other runs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.runner.experiment import CancelToken, RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

AGENT = """
import os

def run(text):
    return "{name} " + text + " " + os.environ.get("GREETING", "-")
"""


def setting(target: str, inputs: str = '["a", "b"]', iterations: int = 2, extra: str = "") -> str:
    return (
        f"name: resumable\nrunner:\n  target: {target}\n{extra}"
        f"base_inputs: {inputs}\niterations: {iterations}\n"
        "output_directory: ../experiments\n"
    )


def not_started(project: Project, config: str, options: RunOptions | None = None) -> Path:
    """An experiment folder of ``config`` with no run done (cancelled before it began)."""
    loaded = project.config(setting("agent_a:run"), name=config)
    token = CancelToken()
    token.cancel()
    result = run_experiment(loaded, options or RunOptions(use_collector=False), cancel=token)
    return result.experiment_dir


@pytest.fixture
def two_agents(project: Project) -> Project:
    """Agent A's project in a/, and a setting.yaml for agent B nearer the experiments."""
    project.write("a/agent_a.py", AGENT.format(name="A"))
    project.write("agent_b.py", AGENT.format(name="B"))
    project.write("setting.yaml", setting("agent_b:run").replace("../experiments", "experiments"))
    return project


def test_resume_without_config_uses_the_experiments_own_config(two_agents: Project) -> None:
    experiment = not_started(two_agents, "a/setting.yaml")
    assert experiment.parent == two_agents.dir / "experiments"  # nearest config is B's

    resumed = two_agents.cli("run", "experiment", "--resume", str(experiment), "--no-collector")

    assert resumed.returncode == 0, resumed.stderr
    outputs = sorted(t["output"] for t in two_agents.traces(experiment))
    assert outputs == ["A a -", "A a -", "A b -", "A b -"]


def test_resume_reads_environment_values_afresh(project: Project) -> None:
    project.write("a/agent_a.py", AGENT.format(name="A"))
    experiment = not_started(project, "a/setting.yaml")
    (project.dir / "a" / "setting.yaml").write_text(
        setting("agent_a:run", extra="  environment_vars:\n    GREETING: ${HELLO}\n"),
        encoding="utf-8",
    )
    # The stored summary masks environment values; a resume must not run with "***".
    resumed = project.cli_env(
        {"HELLO": "again"}, "run", "experiment", "--resume", str(experiment), "--no-collector"
    )

    assert resumed.returncode == 0, resumed.stderr
    assert {t["output"] for t in project.traces(experiment)} == {"A a again", "A b again"}


@pytest.mark.parametrize(
    ("config", "flags", "says"),
    [
        (setting("agent_b:run"), (), "target is 'agent_b:run', the experiment's is 'agent_a:run'"),
        (setting("agent_a:run", inputs='["a", "c"]'), (), "the inputs differ"),
        (setting("agent_a:run", inputs='["a"]'), (), "the inputs differ (1 now, 2"),
        (setting("agent_a:run", iterations=3), (), "iterations is 3, the experiment's config"),
        (setting("agent_a:run"), ("--iterations", "5"), "--iterations is 5"),
    ],
    ids=["target", "input text", "input count", "config iterations", "iterations flag"],
)
def test_a_config_for_other_runs_is_refused(
    two_agents: Project, config: str, flags: tuple[str, ...], says: str
) -> None:
    experiment = not_started(two_agents, "a/setting.yaml")
    two_agents.write("a/other.yaml", config)

    refused = two_agents.cli(
        *("run", "experiment", "--resume", str(experiment), "--no-collector"),
        *("--config", "a/other.yaml", *flags),
    )

    assert refused.returncode == 2, refused.stderr
    assert says in refused.stderr and str(experiment) in refused.stderr
    assert "Traceback" not in refused.stderr
    assert two_agents.traces(experiment) == []


def test_a_config_that_only_changes_how_it_runs_may_resume(two_agents: Project) -> None:
    experiment = not_started(two_agents, "a/setting.yaml")
    two_agents.write("a/other.yaml", setting("agent_a:run") + "parallel_runs: 3\n")

    resumed = two_agents.cli(
        *("run", "experiment", "--resume", str(experiment), "--no-collector"),
        *("--config", "a/other.yaml"),
    )

    assert resumed.returncode == 0, resumed.stderr
    assert len(two_agents.traces(experiment)) == 4


def test_a_missing_stored_config_is_named(two_agents: Project) -> None:
    experiment = not_started(two_agents, "a/setting.yaml")
    config = two_agents.dir / "a" / "setting.yaml"
    config.rename(two_agents.dir / "a" / "moved.yaml")

    refused = two_agents.cli("run", "experiment", "--resume", str(experiment), "--no-collector")

    assert refused.returncode == 2, refused.stderr
    assert f"{config}, which no longer exists" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert os.listdir(experiment)  # untouched
