"""Can the target (and each custom provider) be imported and called?

Checked in a child interpreter (``runner.python_path`` or this one) running
:mod:`fluxloop_core.target_probe`, so the user's module never pollutes this process, with
``working_directory`` first on sys.path and as the current folder, like a run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.config.models import RunnerConfig
from fluxloop_core.preflight.command import program_problems
from fluxloop_core.preflight.conversation import history_problems
from fluxloop_core.preflight.problem import Problem, at_key
from fluxloop_core.preflight.providers import PROVIDER_HINT, custom_providers
from fluxloop_core.target_probe import (
    CONSTRUCTOR_HINT,
    IMPORT_HINT,
    MARK,
    NO_INSTANCE,
    PROVIDERS_KEY,
    raised_at_import,
)

IMPORT_TIMEOUT_SECONDS = 30.0
NO_INSTANCE_KEY = "conversation.history_param"
"""Where a conversation's target that keeps no instance is at fault."""
PROBE_SCRIPT = Path(__file__).parents[1] / "target_probe.py"


@dataclass(frozen=True)
class TargetProblem:
    """Why the target or a provider cannot be used, and the key at fault
    (``runner.target``, ``runner.python_path``, ``runner.working_directory`` or
    ``replay_args.callable_providers.NAME``)."""

    key: str
    message: str
    hint: str | None = None


def run_variables(loaded: LoadedConfig) -> dict[str, str]:
    """The variables a run adds to the environment: the .env files' values (the process
    has its own) and ``runner.environment_vars``, which win."""
    return {**loaded.env.dotenv_values(), **loaded.config.runner.environment_vars}


def working_directory_problem(runner: RunnerConfig) -> TargetProblem | None:
    """``runner.working_directory`` must be a folder (it goes on sys.path)."""
    folder = runner.working_directory
    if folder.is_dir():
        return None
    return TargetProblem(
        "runner.working_directory",
        f"{folder} is not a folder; set it to the folder that holds the module of "
        f"{runner.resolved_target} (relative paths are from the config's folder)",
    )


def run_in_agent_interpreter(
    runner: RunnerConfig,
    arguments: list[str],
    *,
    env: Mapping[str, str] | None = None,
    timeout: float,
) -> subprocess.CompletedProcess[str] | TargetProblem:
    """Start the agent's interpreter (``runner.python_path`` or this one) as a run starts
    it — in ``working_directory``, with this process's environment, ``env`` over it and
    ``runner.environment_vars`` over that, the working directory on its import path — with
    ``arguments``, and wait for it. A TargetProblem when the folder is missing or the
    interpreter cannot be started; ``subprocess.TimeoutExpired`` past ``timeout``."""
    no_folder = working_directory_problem(runner)
    if no_folder is not None:
        return no_folder
    python = str(runner.python_path or sys.executable)
    child_env = {**os.environ, **(env or {}), **runner.environment_vars}
    child_env.update(runner.import_path_variables(child_env))
    try:
        return subprocess.run(
            [python, *arguments],
            cwd=runner.working_directory,
            env=child_env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError:
        return TargetProblem("runner.python_path", f"{python} does not exist")
    except OSError as exc:  # no permission, a folder, not a program (Exec format error)...
        return TargetProblem(
            "runner.python_path",
            f"{python} cannot be run ({exc.strerror}); "
            "point it at a Python interpreter, e.g. .venv/bin/python",
        )


def check_target_importable(
    runner: RunnerConfig,
    *,
    providers: dict[str, str] | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float = IMPORT_TIMEOUT_SECONDS,
    needs_instance: bool = False,
) -> list[TargetProblem]:
    """Why ``runner.target`` (or a ``module:function`` provider among ``providers``, of a
    well-formed spec) cannot be imported and used; empty when everything resolves.

    ``env`` adds variables (e.g. from .env files) to the child's environment. With
    ``needs_instance``, a target that is not a ``Class.method`` is a problem at
    :data:`NO_INSTANCE_KEY` (its words are the conversation's, see target_problems).
    """
    target = runner.resolved_target
    folder = runner.working_directory
    python = runner.python_path or sys.executable
    specs = json.dumps(custom_providers(providers or {}))
    arguments = [str(PROBE_SCRIPT), target, str(folder), specs]
    try:
        completed = run_in_agent_interpreter(
            runner, arguments + ["instance"] * needs_instance, env=env, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return [
            TargetProblem(
                "runner.target",
                f"importing {target} took longer than {timeout:g} s; "
                "does the module start long work at import time?",
            )
        ]
    if isinstance(completed, TargetProblem):
        return [completed]
    report = _read_report(completed.stdout)
    if report is None:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return [TargetProblem("runner.target", f"could not check {target} with {python}: {last}")]
    return [_explain(target, folder, item) for item in report]


def _read_report(stdout: str) -> list[dict[str, str]] | None:
    """The probe's problems, or None when the child died before reporting."""
    for line in reversed(stdout.splitlines()):
        if line.startswith(MARK):
            try:
                report = json.loads(line[len(MARK) :])
            except json.JSONDecodeError:
                return None
            if isinstance(report, list) and all(isinstance(item, dict) for item in report):
                return report
            return None
    return None


def _explain(target: str, folder: Path, report: dict[str, str]) -> TargetProblem:
    kind, text = report.get("kind"), str(report.get("text", ""))
    key = str(report.get("key", "runner.target"))
    module = target.partition(":")[0]
    if kind == NO_INSTANCE:
        return TargetProblem(NO_INSTANCE_KEY, text)
    if kind == "not_found":
        return TargetProblem(
            key,
            f"{text}: {module} is not importable from runner.working_directory {folder}; "
            'set working_directory to the folder that holds it ("." is the config\'s folder)',
            IMPORT_HINT,
        )
    if kind == "dependency":
        text = f"importing {module} failed: {text} (install it in the Python that runs the agent)"
    elif kind == "raised":
        text = raised_at_import(module, text)
    elif kind == "constructor":
        return TargetProblem(key, text, CONSTRUCTOR_HINT)
    elif key.startswith(PROVIDERS_KEY):
        return TargetProblem(key, text, PROVIDER_HINT)
    return TargetProblem(key, text)


def target_problems(
    loaded: LoadedConfig,
    positions: Positions,
    *,
    with_providers: bool = True,
    needs_instance: bool = False,
) -> list[Problem]:
    """The import check as problems at the keys at fault (providers too, when asked, and
    with ``needs_instance`` a conversation's target that would keep no history); none for
    an http target, which nothing imports."""
    """The import check as problems at the keys at fault (providers too, when asked);
    none for an http target, which nothing imports; a command target's program must be
    found instead."""
    config = loaded.config
    if config.runner.http is not None:
        return []
    if config.runner.command is not None:
        return program_problems(loaded, positions, run_variables(loaded))
    replay = config.replay_args
    specs = replay.callable_providers if with_providers and replay.enabled else {}
    found = check_target_importable(
        config.runner, providers=specs, env=run_variables(loaded), needs_instance=needs_instance
    )
    if any(problem.key == NO_INSTANCE_KEY for problem in found):
        found = [problem for problem in found if problem.key != NO_INSTANCE_KEY]
        return [*_problems_at(loaded, positions, found), *history_problems(loaded, positions)]
    return _problems_at(loaded, positions, found)


def _problems_at(
    loaded: LoadedConfig, positions: Positions, found: list[TargetProblem]
) -> list[Problem]:
    return [
        at_key(
            loaded,
            positions,
            "target" if problem.key.startswith("runner.") else "config",
            problem.key,
            problem.message,
            problem.hint,
        )
        for problem in found
    ]
