"""``fluxloop tui``: the full-screen app (the only path that imports textual)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fluxloop_core.cli.args import CommandInfo, Subcommands, add_command, add_project
from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE

COMMAND = CommandInfo("tui", "open the full-screen terminal UI")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop tui`` (a command of its own, no group)."""
    p = add_command(
        sub,
        COMMAND.name,
        tui,
        COMMAND.summary,
        ["fluxloop tui", "fluxloop tui --project my-agent"],
    )
    add_project(p)


def tui(args: argparse.Namespace) -> int:
    """Open the app on a project (or on the workspace's projects); exit 2 without a terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "error: fluxloop tui needs a terminal. Without one, use the plain commands: "
            "fluxloop status experiments, fluxloop status traces, fluxloop config env, "
            "fluxloop status check.",
            file=sys.stderr,
        )
        return EXIT_USAGE
    from rich.console import Console

    from fluxloop_core.config.layout import find_workspace
    from fluxloop_core.config.project import find_project
    from fluxloop_core.errors import ProjectNotFoundError
    from fluxloop_tui.app import FluxLoopApp

    try:
        project_dir: Path | None = find_project(args.project).dir
    except ProjectNotFoundError:
        if args.project:
            raise
        project_dir = None  # start on the projects screen of this workspace
    # The folder holding fluxloop/ (paths on screen are shown relative to it).
    start = project_dir or Path.cwd()
    workspace = find_workspace(start) or (project_dir.parent if project_dir else start)
    # A terminal of 16 colours (TERM=linux, xterm...) gets a theme made of its own colours.
    ansi = Console().color_system in ("standard", "windows")
    FluxLoopApp(project_dir, workspace, ansi=ansi).run()
    return EXIT_OK
