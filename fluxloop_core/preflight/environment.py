"""FLUXLOOP_* values the runs would see: the SDK's own check, located (config.sdk_env)."""

from __future__ import annotations

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.sdk_env import run_variable_problems
from fluxloop_core.preflight.problem import Problem


def environment_problems(loaded: LoadedConfig) -> list[Problem]:
    """A problem for each FLUXLOOP_* value of the run environment the SDK would refuse."""
    return [Problem.from_error("config", error) for error in run_variable_problems(loaded)]
