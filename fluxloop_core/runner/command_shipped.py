"""A command target on Ray actors (``executor: ray`` with ``runner.command``): the spec
each :class:`~fluxloop_core.runner.ray_spec_actor.SpecActor` builds its executor from.

The actor runs in its copy of ``runner.working_directory`` (shipped by Ray), so the
program starts there, with relative paths as locally; its environment is the actor's,
which holds ``runner.environment_vars`` — the values of ``.env`` files never leave this
machine, so they are left out of the spec before it is pickled. Each actor keeps its
share of ``parallel_runs`` copies of the program (``jsonl``) or starts one per run.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.config.command_target import CommandSpec, find_program
from fluxloop_core.runner.command_executor import command_executor
from fluxloop_core.runner.executor import Executor

if TYPE_CHECKING:
    from fluxloop_core.runner.plan import ExperimentPlan


@dataclass(frozen=True)
class ShippedCommand:
    """``spec`` (without this machine's folder or ``.env`` values) for an actor."""

    spec: CommandSpec

    @property
    def deadline(self) -> float:
        """The longest one run may take (``runner.timeout_seconds``)."""
        return self.spec.timeout_seconds

    def build(self) -> Executor:
        """The executor, its programs started from this process's folder (the actor's
        copy of working_directory); ValueError when the program is not found here."""
        folder = Path.cwd()
        program = self.spec.argv[0]
        if find_program(program, folder, os.environ.get("PATH")) is None:
            raise ValueError(
                f"the program {program!r} of runner.command is not found on this node "
                "(a name is looked up on its PATH, a path is read from the shipped "
                "working_directory)"
            )
        return command_executor(replace(self.spec, folder=folder))

    @classmethod
    def of(cls, plan: ExperimentPlan, parallel_runs: int) -> ShippedCommand:
        """The spec of ``plan``'s command target for an actor running ``parallel_runs``."""
        return cls(replace(plan.command_spec(), parallel_runs=parallel_runs, variables={}))
