"""Can the chosen executor run this config? (``runner.executor`` or ``--executor``.)"""

from __future__ import annotations

import importlib.util

from fluxloop_core.config.executors import RAY_INSTALL, ExecutorName
from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.errors import UsageError
from fluxloop_core.preflight.problem import Problem, at_key


def ray_installed() -> bool:
    """Whether the optional Ray dependency is importable (without importing it)."""
    return importlib.util.find_spec("ray") is not None


def executor_problems(
    loaded: LoadedConfig, positions: Positions, executor: ExecutorName | None = None
) -> list[Problem]:
    """Why ``executor`` (default: the config's) cannot run this config."""
    runner = loaded.config.runner
    chosen = executor or runner.executor
    # Decided, not pending: an http request waits on the network and a command target's
    # program is a process of its own, so worker processes would add processes that only
    # wait; this one already drives parallel_runs of them at once.
    driven_here = [
        (
            "runner.http",
            runner.http,
            "requests wait on the network, not on Python",
            ", or executor ray to send them from a cluster's nodes",
        ),
        (
            "runner.command",
            runner.command,
            "its programs already run as processes of their own",
            ", or executor ray to run them on a cluster's nodes",
        ),
    ]
    for key, given, why, or_ray in driven_here:
        if given is not None and chosen == "processes":
            return [
                Problem(
                    kind="config",
                    message=f"executor processes is not used with {key}: {why}, so this "
                    "process drives parallel_runs of them at once; processes are for "
                    "CPU-bound Python agents",
                    key="runner.executor",
                    hint="Use executor local (the default) and raise parallel_runs for more "
                    f"at once{or_ray}.",
                    raises=UsageError,
                )
            ]
    if chosen != "ray":
        return []
    problems = []
    if not ray_installed():
        problems.append(
            Problem(
                kind="config",
                message="executor ray needs Ray, which is not installed",
                key="runner.executor",
                hint=f"Install the extra: {RAY_INSTALL} (or choose executor local or processes).",
                raises=UsageError,
            )
        )
    if runner.python_path:
        problems.append(
            at_key(
                loaded,
                positions,
                "config",
                "runner.python_path",
                "python_path cannot be used with executor ray: Ray workers run the Python "
                "of the cluster's nodes, not an interpreter of this machine",
                "Remove python_path (install the agent's dependencies on the cluster), or "
                "use executor processes to run that interpreter here.",
            )
        )
    if runner.import_paths:
        problems.append(
            at_key(
                loaded,
                positions,
                "config",
                "runner.import_paths",
                "import_paths cannot be used with executor ray: only working_directory is "
                "shipped to the cluster",
                "Move those modules inside working_directory, or run with executor local "
                "or processes.",
            )
        )
    return problems
