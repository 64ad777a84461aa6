"""Everything `fluxloop config validate` checks beyond the schema.

The target imports (in a subprocess, so the user's module never pollutes this process),
the recording and inputs files exist and parse, every recorded callable has a provider,
and the override path leads somewhere in the recorded calls. Every problem is collected —
not just the first — with the file and line to fix. ``status check`` and the TUI reuse
these functions.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fluxloop_core.config.layout import is_legacy_config_file, project_config_file
from fluxloop_core.config.legacy import legacy_config_problems, load_legacy_config
from fluxloop_core.config.loader import (
    KeyPath,
    LoadedConfig,
    Positions,
    config_problems,
    load_config,
    parse_yaml,
)
from fluxloop_core.config.models import RunnerConfig
from fluxloop_core.errors import ConfigError, UserError
from fluxloop_core.inputs import load_inputs_file
from fluxloop_core.paths import PathNotFound, set_path
from fluxloop_core.recording import RecordedCall, missing_providers, read_recording
from fluxloop_core.runner.target import raised_at_import

ProblemKind = Literal["config", "target", "recording", "inputs"]

BUILTIN_PROVIDERS: tuple[str, ...] = ("builtin:collector.send", "builtin:collector.error")
IMPORT_TIMEOUT_SECONDS = 30.0
_MARK = "__fluxloop_import_check__:"
_NO_REPORT = object()  # the child died before reporting

# Runs in a child interpreter: import the module, walk the qualname, report one JSON line.
_IMPORT_CHECK = f"""
import importlib, json, os, sys
target, folder = sys.argv[1], sys.argv[2]
sys.path.insert(0, folder)
module_name, _, qualname = target.partition(":")

def report(message):
    sys.__stdout__.write("\\n{_MARK}" + json.dumps(message) + "\\n")
    sys.__stdout__.flush()
    # Skip interpreter shutdown: threads or atexit hooks the module started must not
    # hold the check up (or send anything).
    os._exit(0)

try:
    obj = importlib.import_module(module_name)
except ModuleNotFoundError as exc:
    parts = module_name.split(".")
    own = exc.name in {{".".join(parts[:i]) for i in range(1, len(parts) + 1)}}
    report({{"kind": "not_found" if own else "dependency", "text": str(exc)}})
except BaseException as exc:
    report({{"kind": "raised", "text": type(exc).__name__ + ": " + str(exc)}})
walked = module_name
for part in qualname.split("."):
    if not hasattr(obj, part):
        report({{"kind": "attribute", "text": walked + " has no attribute " + repr(part)}})
    obj = getattr(obj, part)
    walked += (":" if walked == module_name else ".") + part
if not callable(obj):
    report({{"kind": "not_callable", "text": target + " is not callable"}})
report(None)
"""


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with where it is."""

    kind: ProblemKind
    message: str
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None
    hint: str | None = None

    @classmethod
    def from_error(cls, kind: ProblemKind, error: UserError) -> Problem:
        """The problem a raised UserError describes."""
        return cls(
            kind=kind,
            message=error.message,
            file=Path(error.file) if error.file else None,
            line=error.line,
            column=error.column,
            key=error.key,
            hint=error.hint,
        )

    def render(self) -> str:
        """``file:line:column: key: message. hint`` (the same form as every user error)."""
        return UserError(
            self.message,
            file=self.file,
            line=self.line,
            column=self.column,
            key=self.key,
            hint=self.hint,
        ).render()

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping (for ``--json``)."""
        return {
            "kind": self.kind,
            "file": str(self.file) if self.file else None,
            "line": self.line,
            "column": self.column,
            "key": self.key,
            "message": self.message,
            "hint": self.hint,
            "text": self.render(),
        }


@dataclass(frozen=True)
class TargetProblem:
    """Why the target cannot be imported, and the runner key at fault (``runner.target``,
    ``runner.python_path`` or ``runner.working_directory``)."""

    key: str
    message: str


def check_target_importable(
    runner: RunnerConfig,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = IMPORT_TIMEOUT_SECONDS,
) -> TargetProblem | None:
    """Why ``runner.target`` cannot be imported and called, or None when it can.

    The module is imported in a child interpreter (``runner.python_path`` or this one) with
    ``working_directory`` first on sys.path and as the current folder, like a run. ``env``
    adds variables (e.g. from .env files) to the child's environment.
    """
    target = runner.resolved_target
    folder = runner.working_directory
    if not folder.is_dir():
        return TargetProblem(
            "runner.working_directory",
            f"{folder} is not a folder; set it to the folder that holds the module of "
            f"{target} (relative paths are from the config's folder)",
        )
    python = runner.python_path or sys.executable
    child_env = {**os.environ, **(env or {}), **runner.environment_vars}
    child_env.update(runner.import_path_variables(child_env))
    try:
        completed = subprocess.run(
            [python, "-c", _IMPORT_CHECK, target, str(folder)],
            cwd=folder,
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
    except subprocess.TimeoutExpired:
        return TargetProblem(
            "runner.target",
            f"importing {target} took longer than {timeout:g} s; "
            "does the module start long work at import time?",
        )
    report = _read_report(completed.stdout)
    if report is _NO_REPORT:
        last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
        return TargetProblem("runner.target", f"could not check {target} with {python}: {last}")
    if report is None:
        return None
    return TargetProblem("runner.target", _explain(target, folder, report))


def _read_report(stdout: str) -> object:
    for line in reversed(stdout.splitlines()):
        if line.startswith(_MARK):
            try:
                return json.loads(line[len(_MARK) :])
            except json.JSONDecodeError:
                return _NO_REPORT
    return _NO_REPORT


def _explain(target: str, folder: Path, report: object) -> str:
    if not isinstance(report, dict):
        return f"could not check {target}"
    kind, text = report.get("kind"), str(report.get("text", ""))
    module = target.partition(":")[0]
    if kind == "not_found":
        return (
            f"{text}: {module} is not importable from runner.working_directory {folder}; "
            'set working_directory to the folder that holds it ("." is the config\'s folder)'
        )
    if kind == "dependency":
        return f"importing {module} failed: {text} (install it in the Python that runs the agent)"
    if kind == "raised":
        return raised_at_import(module, text)
    return text


def _position(positions: Positions, *keys: str | int) -> tuple[int | None, int | None]:
    path: KeyPath = tuple(keys)
    for end in range(len(path), 0, -1):
        if path[:end] in positions:
            return positions[path[:end]]
    return None, None


def _config_problem(
    loaded: LoadedConfig,
    positions: Positions,
    kind: ProblemKind,
    keys: tuple[str, ...],
    message: str,
    hint: str | None = None,
) -> Problem:
    line, column = _position(positions, *keys)
    return Problem(
        kind=kind,
        message=message,
        file=loaded.path,
        line=line,
        column=column,
        key=".".join(keys),
        hint=hint,
    )


def target_problems(loaded: LoadedConfig, positions: Positions) -> list[Problem]:
    """The target import check as a problem at the runner key at fault."""
    problem = check_target_importable(loaded.config.runner, env=loaded.env.dotenv_values())
    if problem is None:
        return []
    keys = tuple(problem.key.split("."))
    return [_config_problem(loaded, positions, "target", keys, problem.message)]


def recorded_calls(
    loaded: LoadedConfig, positions: Positions
) -> tuple[list[RecordedCall], list[Problem]]:
    """The target's recorded calls and every problem with the recording (replay enabled)."""
    replay = loaded.config.replay_args
    recording_file = replay.recording_file
    if not replay.enabled or recording_file is None:
        return [], []
    keys = ("replay_args", "recording_file")
    if not recording_file.is_file():
        what = "not found" if not recording_file.exists() else "is a directory"
        return [], [
            _config_problem(
                loaded,
                positions,
                "recording",
                keys,
                f"Recording file {what}: {recording_file}",
                "Relative paths are from the config file's folder; record one with "
                "fluxloop.record_call_args() or fix the path.",
            )
        ]
    try:
        recording = read_recording(recording_file)
    except UserError as error:
        return [], [Problem.from_error("recording", error)]
    problems = [
        Problem(kind="recording", message=p.message, file=recording_file, line=p.line_number)
        for p in recording.problems
    ]
    target = loaded.config.runner.resolved_target
    calls = [call for call in recording.calls if call.target == target]
    if not calls:
        others = sorted({call.target for call in recording.calls})
        found = f"it holds calls for {', '.join(others)}" if others else "it holds no valid call"
        problems.append(
            _config_problem(
                loaded,
                positions,
                "recording",
                keys,
                f"no recorded call for runner.target {target} in {recording_file}: {found}",
                "Record calls of this target, or point runner.target at the recorded one.",
            )
        )
    return calls, problems


def provider_problems(
    loaded: LoadedConfig, positions: Positions, calls: list[RecordedCall]
) -> list[Problem]:
    """Recorded callables without a provider, malformed providers, and a bad override path."""
    replay = loaded.config.replay_args
    problems: list[Problem] = []
    providers = replay.callable_providers
    missing = missing_providers(calls, providers)
    if missing:
        example = f'{missing[0]}: "builtin:collector.send"'
        problems.append(
            _config_problem(
                loaded,
                positions,
                "recording",
                ("replay_args", "callable_providers"),
                "Missing callable providers for recorded parameters: " + ", ".join(missing),
                f"Add them under replay_args.callable_providers, e.g. {example}.",
            )
        )
    for name, provider in providers.items():
        module, sep, function = provider.partition(":")
        if provider.startswith("builtin:") and provider not in BUILTIN_PROVIDERS:
            bad = f"unknown builtin provider {provider!r}"
        elif not sep or not module or not function:
            bad = f'provider {provider!r} is not "builtin:..." or "module:function"'
        else:
            continue
        problems.append(
            _config_problem(
                loaded,
                positions,
                "config",
                ("replay_args", "callable_providers", name),
                bad,
                f"Builtins: {', '.join(BUILTIN_PROVIDERS)}.",
            )
        )
    path = replay.override_param_path
    if path and calls:
        for call in calls:
            try:
                set_path(call.copy_kwargs(), path, "")
            except (PathNotFound, ValueError) as exc:
                problems.append(
                    _config_problem(
                        loaded,
                        positions,
                        "recording",
                        ("replay_args", "override_param_path"),
                        f"{exc} in the call recorded on line {call.line_number} "
                        f"of {replay.recording_file}",
                        "Use a dot path into the recorded kwargs, e.g. data.content.",
                    )
                )
                break
    return problems


def inputs_problems(loaded: LoadedConfig, positions: Positions) -> list[Problem]:
    """The inputs file exists and parses; some input exists when nothing is replayed."""
    config = loaded.config
    if config.inputs_file is not None:
        try:
            inputs = load_inputs_file(config.inputs_file)
        except UserError as error:
            return [Problem.from_error("inputs", error)]
        if not inputs.inputs:
            return [
                Problem(
                    kind="inputs",
                    message="holds no inputs",
                    file=config.inputs_file,
                    hint="Run `fluxloop generate inputs` or add items under `inputs:`.",
                )
            ]
        return []
    if not config.base_inputs and not config.replay_args.enabled:
        return [
            Problem(
                kind="inputs",
                message="no inputs: base_inputs is empty and inputs_file is not set",
                file=loaded.path,
                hint='Add `base_inputs:` with items like `- input: "Hello"`, or set inputs_file.',
            )
        ]
    return []


def loaded_problems(loaded: LoadedConfig) -> list[Problem]:
    """Every problem of a config that passed the schema check."""
    _, positions = parse_yaml(loaded.raw_text, loaded.path)
    calls, recording = recorded_calls(loaded, positions)
    return [
        *target_problems(loaded, positions),
        *recording,
        *provider_problems(loaded, positions, calls),
        *inputs_problems(loaded, positions),
    ]


def config_path_of(path: Path) -> Path:
    """A config file, or a project folder's setting.yaml (or 0.2.x configs/simulation.yaml)."""
    return (project_config_file(path) if path.is_dir() else None) or path


def validate_project(path: Path) -> list[Problem]:
    """Every problem of a config file (or a project folder's setting.yaml), schema first.

    Schema problems stop the other checks: they need a valid config.
    """
    config_path = config_path_of(path)
    legacy = is_legacy_config_file(config_path)  # a fluxloop-cli 0.2.x project
    schema = legacy_config_problems(config_path) if legacy else config_problems(config_path)
    if schema:
        return [Problem.from_error("config", error) for error in schema]
    try:
        loaded = load_legacy_config(config_path) if legacy else load_config(config_path)
    except ConfigError as error:
        return [Problem.from_error("config", error)]
    return loaded_problems(loaded)
