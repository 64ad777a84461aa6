"""The output folder: it exists and can be written, or can be created."""

from __future__ import annotations

import os
from pathlib import Path

from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.preflight.problem import Problem, at_key

OUTPUT_HINT = (
    "Point output_directory at a folder you can write (it is created if missing), "
    "or free the path if a file is in the way."
)


def _nearest_existing(folder: Path) -> Path:
    """``folder`` or its closest ancestor that exists (the one a mkdir would start from)."""
    probe = folder
    while not os.path.lexists(probe) and probe.parent != probe:
        probe = probe.parent
    return probe


def output_problem(folder: Path) -> str | None:
    """Why experiment folders cannot be created in ``folder``, or None (nothing is made)."""
    start = _nearest_existing(folder)
    if not start.is_dir():
        return f"cannot create {folder}: {start} is not a folder"
    if not os.access(start, os.W_OK | os.X_OK):
        what = "the folder" if start == folder else f"{start}, where it would be created,"
        return f"cannot write in {folder}: {what} is not writable"
    return None


def output_problems(loaded: LoadedConfig, positions: Positions) -> list[Problem]:
    """The output folder check at ``output_directory``'s line."""
    why = output_problem(loaded.config.output_directory)
    if why is None:
        return []
    return [at_key(loaded, positions, "config", "output_directory", why, OUTPUT_HINT)]
