"""Find the project a command is about: ``--project NAME|PATH``, ``--config FILE``, or cwd."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.config.env import load_layered_env
from fluxloop_core.config.layout import (
    CONFIG_FILE_NAME,
    WORKSPACE_DIR_NAME,
    config_project_dir,
    find_workspace,
    is_legacy_config_file,
    project_config_file,
    project_names,
)
from fluxloop_core.config.legacy import load_legacy_config
from fluxloop_core.config.loader import LoadedConfig, load_config
from fluxloop_core.errors import ProjectNotFoundError


@dataclass(frozen=True)
class Project:
    """A project folder and its setting.yaml (a 0.2.x project: its configs/simulation.yaml)."""

    dir: Path
    config_path: Path


def _project_at(folder: Path) -> Project:
    config_path = project_config_file(folder.resolve())
    assert config_path is not None  # callers found it first
    return Project(dir=folder.resolve(), config_path=config_path)


def _nearest_project(here: Path) -> Path | None:
    """The nearest folder from ``here`` upwards that is a project."""
    for folder in (here, *here.parents):
        if project_config_file(folder) is not None:
            return folder
    return None


def find_project(project: str | None, *, cwd: Path | None = None) -> Project:
    """Resolve ``--project``: a folder path, else a project name of the workspace around
    cwd (``WORKSPACE/fluxloop/NAME``), else the name of the project cwd is in; without it,
    the nearest folder from cwd upwards that holds a setting.yaml."""
    here = (cwd or Path.cwd()).resolve()
    current = _nearest_project(here)
    if project:
        as_path = Path(project).expanduser()
        as_path = as_path if as_path.is_absolute() else here / as_path
        workspace = find_workspace(here) or here
        candidates = [as_path, workspace / WORKSPACE_DIR_NAME / project]
        if current is not None and current.name == project:
            candidates.append(current)  # `cd fluxloop/my-agent` then `--project my-agent`
        for candidate in candidates:
            if project_config_file(candidate) is not None:
                return _project_at(candidate)
        raise ProjectNotFoundError(
            f"no project {project!r}: neither {candidates[0]} nor {candidates[1]} "
            f"holds a {CONFIG_FILE_NAME}",
            hint="Pass a project folder or a project name of this workspace, "
            f"or create one with `fluxloop init project --name {Path(project).name}`.",
        )
    if current is not None:
        return _project_at(current)
    around = find_workspace(here)
    names = project_names(around) if around is not None else []
    # Every command that needs a project takes --project; only some take --config.
    raise ProjectNotFoundError(
        f"no {CONFIG_FILE_NAME} in {here} or its parents",
        hint=f"Pass --project NAME (this workspace has: {', '.join(names)}), or run the "
        "command inside a project folder."
        if names
        else "Run the command inside a project folder or pass --project NAME|PATH, "
        "or create a project with `fluxloop init project --name my-agent`.",
    )


def open_config(
    *, config: str | None = None, project: str | None = None, cwd: Path | None = None
) -> LoadedConfig:
    """Load the config a command is about: ``--config`` wins, else the project's."""
    here = (cwd or Path.cwd()).resolve()
    if config:
        path = Path(config).expanduser()
        path = path if path.is_absolute() else here / path
    else:
        path = find_project(project, cwd=here).config_path
    return load_project_config(path)


def load_project_config(path: Path) -> LoadedConfig:
    """Load a setting.yaml, or a fluxloop-cli 0.2.x project from its configs/simulation.yaml,
    with the environment of the project it belongs to."""
    env = load_layered_env(config_project_dir(path))
    if is_legacy_config_file(path):
        return load_legacy_config(path, env=env)
    return load_config(path, env=env)
