"""Is a command target's program there? (``runner.command``: the run, ``status check``,
``config validate`` and ``--dry-run`` all ask here, through the target check.)"""

from __future__ import annotations

import os
from collections.abc import Mapping

from fluxloop_core.config.command_target import find_program
from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.preflight.problem import Problem, at_key


def program_path(loaded: LoadedConfig, variables: Mapping[str, str]) -> str | None:
    """Where ``runner.command``'s program is, looked up on the PATH the runs get (from
    ``variables``, the run's, else this process's); relative paths from
    ``runner.working_directory``. None when it is not found."""
    runner = loaded.config.runner
    assert runner.command is not None
    path = variables.get("PATH", os.environ.get("PATH"))
    return find_program(runner.command[0], runner.working_directory, path)


def program_problems(
    loaded: LoadedConfig, positions: Positions, variables: Mapping[str, str]
) -> list[Problem]:
    """Why ``runner.command`` cannot be started; none when its program is found."""
    command = loaded.config.runner.command
    if command is None or program_path(loaded, variables) is not None:
        return []
    return [
        at_key(
            loaded,
            positions,
            "target",
            "runner.command",
            f"the program {command[0]!r} of runner.command is not found (or not executable):"
            " a name is looked up on PATH, a path is read from runner.working_directory",
            "Install it, or give its full path, e.g. command: [/usr/bin/node, agent.js].",
        )
    ]
