"""What ``executor: ray`` ships to the cluster: the runtime environment of its actors.

Apart from the executor so the rule can be read (and tested) without Ray installed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import fluxloop

import fluxloop_core
from fluxloop_core.runner.plan import ExperimentPlan

NEVER_SHIPPED = (".env", ".env.*", "experiments/", ".git", ".venv/", "__pycache__/")
"""working_directory paths never sent to the cluster (gitignore patterns): secrets,
results, history and environments, whatever ``runner.ray.excludes`` says."""


def runtime_env(plan: ExperimentPlan) -> dict[str, Any]:
    """What the actors get: ``working_directory`` as their code and folder (without
    :data:`NEVER_SHIPPED`, the experiments' folder and ``runner.ray.excludes``), the
    ``fluxloop_core`` and ``fluxloop`` packages the actors need, and exactly the variables
    of ``runner.environment_vars`` (.env files stay here)."""
    runner = plan.config.runner
    excludes = [*NEVER_SHIPPED, *runner.ray.excludes]
    output = plan.config.output_directory.resolve()
    folder = runner.working_directory.resolve()
    if output.is_relative_to(folder) and output != folder:
        excludes.append("/" + output.relative_to(folder).as_posix() + "/")
    return {
        "working_dir": str(folder),
        "py_modules": [_package_dir(fluxloop_core), _package_dir(fluxloop)],
        "excludes": excludes,
        # The actors' SDK keeps spans for the trace; it does not send them anywhere.
        "env_vars": {**runner.environment_vars, "FLUXLOOP_USE_COLLECTOR": "false"},
    }


def _package_dir(module: Any) -> str:
    return str(Path(module.__file__).parent)
