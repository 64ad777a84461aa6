"""The projects of a workspace (the folder holding ``fluxloop/``), for the TUI's home."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.config.layout import CONFIG_FILE_NAME, WORKSPACE_DIR_NAME
from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import UserError
from fluxloop_core.results.reader import ExperimentListing, list_experiments


@dataclass(frozen=True)
class ProjectInfo:
    """One project: its target and last experiment, or why its config does not load."""

    name: str
    dir: Path
    target: str | None
    problem: str | None
    last_experiment: ExperimentListing | None


def list_projects(workspace: Path) -> list[ProjectInfo]:
    """Every ``workspace/fluxloop/NAME/setting.yaml`` project, by name."""
    root = workspace / WORKSPACE_DIR_NAME
    if not root.is_dir():
        return []
    projects = []
    for folder in sorted(p for p in root.iterdir() if (p / CONFIG_FILE_NAME).is_file()):
        try:
            loaded = load_config(folder / CONFIG_FILE_NAME)
        except UserError as error:
            projects.append(ProjectInfo(folder.name, folder, None, error.render(), None))
            continue
        listings = list_experiments(loaded.config.output_directory)
        projects.append(
            ProjectInfo(
                folder.name,
                folder,
                loaded.config.runner.resolved_target,
                None,
                listings[0] if listings else None,
            )
        )
    return projects
