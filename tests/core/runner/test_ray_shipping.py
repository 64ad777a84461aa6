"""What executor ray ships: working_directory without secrets, results or history."""

from __future__ import annotations

from typing import Any

from fluxloop_core.runner.plan import RunOptions, prepare_experiment
from fluxloop_core.runner.ray_shipping import runtime_env

Project = Any  # the `project` fixture of conftest.py


def test_the_runtime_env_never_holds_secrets_results_or_history(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config(
        'name: env\nrunner:\n  target: "agent:run"\n'
        '  environment_vars: {MODE: "x"}\n  ray: {excludes: ["data/"]}\n'
        'output_directory: results/runs\nbase_inputs: ["a"]\n'
    )
    project.write(".env", "SECRET=hunter2\n")

    env = runtime_env(prepare_experiment(loaded, RunOptions(use_collector=False)))

    assert env["working_dir"] == str(project.dir.resolve())
    assert env["excludes"] == [
        ".env",
        ".env.*",
        "experiments/",
        ".git",
        ".venv/",
        "__pycache__/",
        "data/",
        "/results/runs/",
    ]
    assert env["env_vars"] == {"MODE": "x", "FLUXLOOP_USE_COLLECTOR": "false"}
    assert "hunter2" not in repr(env)
