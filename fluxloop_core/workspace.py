"""The projects of a workspace (the folder holding ``fluxloop/``), for the TUI's home."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.config.layout import WORKSPACE_DIR_NAME, project_config_file
from fluxloop_core.config.project import load_project_config
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
    """Every project of ``workspace/fluxloop/`` (setting.yaml or 0.2.x configs/), by name."""
    root = workspace / WORKSPACE_DIR_NAME
    if not root.is_dir():
        return []
    projects = []
    found = ((p, project_config_file(p)) for p in sorted(root.iterdir()))
    for folder, config_file in ((p, c) for p, c in found if c is not None):
        try:
            loaded = load_project_config(config_file)
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
