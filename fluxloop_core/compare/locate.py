"""Which two experiment folders ``fluxloop compare`` (and the TUI) are about.

An argument is a folder path when it names an existing path or holds a path separator,
otherwise the name of an experiment folder under the project's ``output_directory``.
Without arguments: the project's two newest experiments (the newest is the candidate).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from fluxloop_core.errors import UsageError
from fluxloop_core.results.reader import list_experiments

OutputDirectory = Callable[[], Path]
"""Finds the project's output_directory (only called when a name or nothing was given)."""


def _is_path(argument: str, cwd: Path) -> bool:
    return (
        os.sep in argument
        or (os.altsep is not None and os.altsep in argument)
        or argument in (".", "..")
        or (cwd / argument).exists()
    )


def resolve_experiment(argument: str, output_directory: OutputDirectory, cwd: Path) -> Path:
    """The folder ``argument`` names (it need not be an experiment yet: the reader says)."""
    if _is_path(argument, cwd):
        path = Path(argument).expanduser()
        return (path if path.is_absolute() else cwd / path).resolve()
    folder = output_directory() / argument
    if not folder.exists():
        raise UsageError(
            f"no experiment named {argument!r} in {folder.parent}",
            hint="Pass an experiment folder's path or a name listed by "
            "`fluxloop status experiments`.",
        )
    return folder.resolve()


def latest_two(output_dir: Path) -> tuple[Path, Path]:
    """(base, candidate): the second newest and the newest experiment of ``output_dir``."""
    listings = [item for item in list_experiments(output_dir) if item.summary is not None]
    if len(listings) < 2:
        found = "no experiment" if not listings else "only one experiment"
        raise UsageError(
            f"{found} in {output_dir}: comparing needs two",
            hint="Run the experiment again after your change (`fluxloop run experiment`), "
            "or pass BASE and CAND folders.",
        )
    return listings[1].path, listings[0].path


def resolve_pair(
    arguments: list[str], output_directory: OutputDirectory, cwd: Path
) -> tuple[Path, Path]:
    """(base, candidate) from zero or two arguments."""
    if not arguments:
        return latest_two(output_directory())
    if len(arguments) != 2:
        raise UsageError(
            f"expected BASE and CAND (or nothing), got {len(arguments)} argument(s)",
            hint="Example: fluxloop compare experiments/a_20250101_120000 "
            "experiments/a_20250102_120000",
        )
    base, candidate = (resolve_experiment(a, output_directory, cwd) for a in arguments)
    return base, candidate
