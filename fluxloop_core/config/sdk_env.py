"""FLUXLOOP_* values the SDK would refuse, with where each was set.

The SDK reads its settings from the environment the runs see (the process, the .env files,
``runner.environment_vars``) and refuses values it cannot use at start-up. The check itself
is the SDK's (:func:`fluxloop.config.environment_problems`); this module only says where
each value came from, so `run experiment`, `status check` and `config env` can name it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fluxloop.config import environment_problems

from fluxloop_core.config.dotenv_edit import assignment_line
from fluxloop_core.config.env import SOURCE_GLOBAL, SOURCE_PROJECT, LayeredEnv
from fluxloop_core.config.loader import LoadedConfig, nearest_position, parse_yaml
from fluxloop_core.errors import ConfigError


def _env_file_line(path: Path, name: str) -> int | None:
    try:
        return assignment_line(path.read_text(encoding="utf-8"), name)
    except (OSError, UnicodeDecodeError):  # read_env_file already reported such a file
        return None


def sdk_variable_problems(
    env: LayeredEnv, environment_vars: Mapping[str, str] | None = None
) -> list[ConfigError]:
    """A ConfigError for each FLUXLOOP_* value the SDK would refuse, located.

    A value from ``environment_vars`` (``runner.environment_vars``, which wins) carries
    its key (:func:`run_variable_problems` points it at setting.yaml); one from a .env
    file names the file and line; one from the process says so.
    """
    overrides = dict(environment_vars or {})
    effective = {**env.variables, **overrides}
    errors: list[ConfigError] = []
    for variable, why in environment_problems(effective).items():
        if variable in overrides:
            errors.append(
                ConfigError(
                    why,
                    key=f"runner.environment_vars.{variable}",
                    hint="Fix the value, or remove the entry to use the SDK's default.",
                )
            )
            continue
        source = env.source(variable)
        file = {SOURCE_PROJECT: env.project_env_file, SOURCE_GLOBAL: env.global_env_file}.get(
            source
        )
        if file is not None:
            errors.append(
                ConfigError(
                    why,
                    file=file,
                    line=_env_file_line(file, variable),
                    key=variable,
                    hint="Fix the value in that file, or remove the line to use the default.",
                )
            )
        else:  # no file and no key: nothing in a config file to point at
            errors.append(
                ConfigError(
                    f"{variable}={why} (set in the environment)",
                    hint=f"Fix it, or `unset {variable}` to use the default.",
                )
            )
    return errors


def run_variable_problems(loaded: LoadedConfig) -> list[ConfigError]:
    """:func:`sdk_variable_problems` of what a run of ``loaded`` sees, each at its line."""
    errors = sdk_variable_problems(loaded.env, loaded.config.runner.environment_vars)
    prefix = "runner.environment_vars."
    in_config = [error for error in errors if error.key and error.key.startswith(prefix)]
    if in_config:
        _, positions = parse_yaml(loaded.raw_text, loaded.path)
        for error in in_config:
            assert error.key is not None  # selected above
            name = error.key.removeprefix(prefix)
            error.file = str(loaded.path)
            error.line, error.column = nearest_position(
                ("runner", "environment_vars", name), positions
            )
    return errors
