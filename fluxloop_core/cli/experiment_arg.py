"""Which experiment folder a command is about: the one named, or the project's latest."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fluxloop_core.config.loader import LoadedConfig


def latest_of(loaded: LoadedConfig) -> Path:
    """The newest experiment folder of ``loaded``'s output_directory; a UsageError saying
    how to make one when there is none."""
    from fluxloop_core.errors import UsageError
    from fluxloop_core.results.reader import latest_experiment

    found = latest_experiment(loaded.config.output_directory)
    if found is None:
        raise UsageError(
            f"no experiments in {loaded.config.output_directory}",
            hint=f"Run one first: fluxloop run experiment --config {loaded.path.name}",
        )
    return found


def experiment_folder(
    named: str | None, *, project: str | None = None, config: str | None = None
) -> Path:
    """``named`` as a folder, or the latest experiment of the project (``--project`` /
    ``--config``, else the one around the current folder)."""
    if named is not None:
        return Path(named).expanduser()
    from fluxloop_core.config.project import open_config

    return latest_of(open_config(config=config, project=project))
