"""``fluxloop tui``: the full-screen app (the only path that imports textual)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fluxloop_core.config.project import find_project


def _workspace(project_dir: Path) -> Path:
    """The folder holding ``fluxloop/`` (paths on screen are shown relative to it)."""
    for parent in project_dir.parents:
        if parent.name == "fluxloop":
            return parent.parent
    return project_dir.parent


def tui(args: argparse.Namespace) -> int:
    """Open the app on a project; exit 2 without a terminal."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        print(
            "error: fluxloop tui needs a terminal. Without one, use the plain commands: "
            "fluxloop status experiments, fluxloop status traces, fluxloop config env, "
            "fluxloop status check.",
            file=sys.stderr,
        )
        return 2
    project = find_project(args.project)
    from fluxloop_tui.app import FluxLoopApp

    FluxLoopApp(project.dir, _workspace(project.dir)).run()
    return 0
