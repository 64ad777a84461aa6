"""Argument recording on or off for a project, and what a process started there records.

Recording is the SDK's: ``fluxloop.record_call_args`` appends a line when
``FLUXLOOP_RECORD_ARGS`` is true, to ``FLUXLOOP_RECORDING_FILE``. These functions write
those two variables into the project's ``.env`` (comments and order kept, atomically, by
:mod:`fluxloop_core.config.dotenv_edit`) and read back what takes effect, the same way a
run sees it: the process environment over the project ``.env`` over the workspace's.

Unlike the released ``fluxloop record enable`` (0.2.x), nothing here touches replay:
recording staging traffic and replaying it are separate decisions.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fluxloop.config import config_from_environment

from fluxloop_core.config.dotenv_edit import assignment_line, set_env_value, set_env_values
from fluxloop_core.config.env import SOURCE_PROCESS, LayeredEnv, load_layered_env
from fluxloop_core.config.layout import project_config_file
from fluxloop_core.config.project import load_project_config
from fluxloop_core.config.sdk_env import sdk_variable_problems
from fluxloop_core.errors import UsageError, UserError

RECORD_VARIABLE = "FLUXLOOP_RECORD_ARGS"
FILE_VARIABLE = "FLUXLOOP_RECORDING_FILE"
ENABLED_VARIABLE = "FLUXLOOP_ENABLED"
DEFAULT_RECORDING_FILE = "recordings/args.jsonl"
"""Where ``record enable`` points recording when nothing names a file: inside the
project, where ``replay_args.recording_file`` of a new project looks."""


@dataclass(frozen=True)
class Setting:
    """One variable as a process started in the project sees it."""

    name: str
    value: str | None  # None: not set anywhere, the SDK's default applies
    source: str  # process, project .env, global .env, or default
    line: int | None  # its line in the .env file it comes from


@dataclass(frozen=True)
class RecordingStatus:
    """What a process started from ``project_dir`` records, and why."""

    project_dir: Path
    env_file: Path
    recording: bool
    recording_file: Path
    settings: tuple[Setting, ...]
    notes: tuple[str, ...]
    """Why the outcome may surprise: a shell value that wins over .env, the SDK switched
    off, a file replay does not read."""


def _setting(env: LayeredEnv, name: str) -> Setting:
    value = env.variables.get(name)
    source = env.source(name)
    file = {
        "project .env": env.project_env_file,
        "global .env": env.global_env_file,
    }.get(source)
    line = None
    if file is not None:
        try:
            line = assignment_line(file.read_text(encoding="utf-8"), name)
        except (OSError, UnicodeDecodeError):  # load_layered_env read it already
            line = None
    return Setting(name, value, source, line)


def _replay_file(project_dir: Path) -> Path | None:
    """``replay_args.recording_file`` of the project's config, when it loads."""
    config_file = project_config_file(project_dir)
    if config_file is None:
        return None
    try:
        loaded = load_project_config(config_file)
    except UserError:
        return None  # a broken config is not this command's business; `config validate` is
    return loaded.config.replay_args.recording_file


def recording_status(
    project_dir: Path, *, process_env: Mapping[str, str] | None = None
) -> RecordingStatus:
    """What a process started from ``project_dir`` records (the SDK's own reading of the
    merged environment). An SDK variable it would refuse is a ConfigError at its line."""
    env = load_layered_env(project_dir, process_env=process_env)
    problems = sdk_variable_problems(env)
    if problems:
        raise problems[0]
    sdk = config_from_environment(env.variables)
    recording_file = Path(sdk.recording_file).expanduser()
    if not recording_file.is_absolute():
        recording_file = project_dir / recording_file  # the SDK opens it from its cwd
    settings = tuple(_setting(env, name) for name in (RECORD_VARIABLE, FILE_VARIABLE))
    notes: list[str] = []
    for setting in settings:
        if setting.source == SOURCE_PROCESS:
            notes.append(
                f"{setting.name} is set in your shell and wins over .env files; "
                f"`unset {setting.name}` to use the project's value."
            )
    if sdk.record_args and not sdk.enabled:
        where = _setting(env, ENABLED_VARIABLE)
        notes.append(
            f"{ENABLED_VARIABLE} is false ({where.source}): the SDK is off, so nothing is "
            "recorded until it is turned back on."
        )
    replay = _replay_file(project_dir)
    if sdk.record_args and replay is not None and replay.resolve() != recording_file.resolve():
        notes.append(
            f"replay_args.recording_file in setting.yaml is {replay}: replay and "
            "`generate inputs --from-recording` read that file, not this one."
        )
    return RecordingStatus(
        project_dir=project_dir,
        env_file=project_dir / ".env",
        recording=sdk.enabled and sdk.record_args,
        recording_file=recording_file,
        settings=settings,
        notes=tuple(notes),
    )


def _file_to_write(project_dir: Path, requested: str | None) -> str:
    if requested is not None:
        if not requested.strip():
            raise UsageError(
                "the recording file is empty", hint="Name a file such as recordings/args.jsonl."
            )
        chosen = requested
    else:
        env = load_layered_env(project_dir, process_env={})
        current = env.variables.get(FILE_VARIABLE, "").strip()
        replay = None if current else _replay_file(project_dir)
        if current:
            chosen = current
        elif replay is not None:
            chosen = str(
                replay.relative_to(project_dir) if replay.is_relative_to(project_dir) else replay
            )
        else:
            chosen = DEFAULT_RECORDING_FILE
    target = Path(chosen).expanduser()
    if (target if target.is_absolute() else project_dir / target).is_dir():
        raise UsageError(
            f"the recording file {chosen} is a folder",
            hint="Name a file in it, such as recordings/args.jsonl.",
        )
    return chosen


def enable_recording(
    project_dir: Path, file: str | None = None, *, process_env: Mapping[str, str] | None = None
) -> RecordingStatus:
    """Turn recording on in the project's .env (to ``file``: relative paths are from the
    project folder); replay settings are left as they are."""
    chosen = _file_to_write(project_dir, file)
    set_env_values(project_dir / ".env", {RECORD_VARIABLE: "true", FILE_VARIABLE: chosen})
    return recording_status(project_dir, process_env=process_env)


def disable_recording(
    project_dir: Path, *, process_env: Mapping[str, str] | None = None
) -> RecordingStatus:
    """Turn recording off in the project's .env; the file setting stays for next time."""
    set_env_value(project_dir / ".env", RECORD_VARIABLE, "false")
    return recording_status(project_dir, process_env=process_env)
