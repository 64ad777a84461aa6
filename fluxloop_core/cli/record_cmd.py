"""``fluxloop record enable | disable | status``: argument recording on or off for a project."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_group,
    add_json,
    add_project,
)
from fluxloop_core.exit_codes import EXIT_OK

if TYPE_CHECKING:
    from fluxloop_core.recording_switch import RecordingStatus


COMMAND = CommandInfo("record", "turn argument recording on or off in a project's .env")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop record`` and its commands."""
    record = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        [
            "fluxloop record enable --project my-agent",
            "fluxloop record status",
            "fluxloop record disable",
        ],
    )
    p = add_command(
        record,
        "enable",
        enable,
        "record the arguments of fluxloop.record_call_args calls (replay is left as it is)",
        [
            "fluxloop record enable",
            "fluxloop record enable --project my-agent --file recordings/staging.jsonl",
        ],
    )
    add_project(p)
    p.add_argument(
        "--file",
        metavar="PATH",
        help="where lines are appended, relative to the project folder (default: the "
        "file already set, else replay_args.recording_file, else recordings/args.jsonl)",
    )
    add_json(p, "the recording status")
    p = add_command(
        record,
        "disable",
        disable,
        "stop recording (the file setting is kept for next time)",
        ["fluxloop record disable --project my-agent"],
    )
    add_project(p)
    add_json(p, "the recording status")
    p = add_command(
        record,
        "status",
        status,
        "say whether a process started from the project records, and to which file",
        ["fluxloop record status", "fluxloop record status --project my-agent --json"],
    )
    add_project(p)
    add_json(p, "the recording status")


def _show(state: RecordingStatus, as_json: bool) -> int:
    from fluxloop_core.cli.output import print_json

    if as_json:
        print_json(
            {
                "project": str(state.project_dir),
                "env_file": str(state.env_file),
                "recording": state.recording,
                "recording_file": str(state.recording_file),
                "settings": [
                    {
                        "name": s.name,
                        "value": s.value,
                        "source": s.source,
                        "line": s.line,
                    }
                    for s in state.settings
                ],
                "notes": list(state.notes),
            }
        )
        return EXIT_OK
    if state.recording:
        print(
            f"Recording is ON: a process started from {state.project_dir} appends one line "
            f"per fluxloop.record_call_args call to {state.recording_file}."
        )
    else:
        print(f"Recording is OFF: a process started from {state.project_dir} records nothing.")
    for s in state.settings:
        where = s.source + (f" line {s.line}" if s.line else "")
        print(f"  {s.name}={s.value if s.value is not None else '(not set)'}  ({where})")
    for note in state.notes:
        print(f"note: {note}")
    print(
        "Processes see the .env when run by fluxloop or after fluxloop.load_env(); "
        "the shell's own variables win over it."
    )
    return EXIT_OK


def _project_dir(args: argparse.Namespace) -> Path:
    from fluxloop_core.config.project import find_project

    return find_project(args.project).dir


def enable(args: argparse.Namespace) -> int:
    """Write FLUXLOOP_RECORD_ARGS=true and the recording file into the project's .env."""
    from fluxloop_core.recording_switch import enable_recording

    return _show(enable_recording(_project_dir(args), args.file), args.json)


def disable(args: argparse.Namespace) -> int:
    """Write FLUXLOOP_RECORD_ARGS=false into the project's .env."""
    from fluxloop_core.recording_switch import disable_recording

    return _show(disable_recording(_project_dir(args)), args.json)


def status(args: argparse.Namespace) -> int:
    """Say what a process started from the project records."""
    from fluxloop_core.recording_switch import recording_status

    return _show(recording_status(_project_dir(args)), args.json)
