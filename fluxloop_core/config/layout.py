"""Where a workspace is: the one walker every command uses to find ``WORKSPACE/fluxloop/``.

A workspace is a folder holding ``fluxloop/``, which holds the shared ``.env`` and one
folder per project (``fluxloop/NAME/setting.yaml``, or a fluxloop-cli 0.2.x project's
``fluxloop/NAME/configs/``).
"""

from __future__ import annotations

from pathlib import Path

WORKSPACE_DIR_NAME = "fluxloop"
CONFIG_FILE_NAME = "setting.yaml"
# A fluxloop-cli 0.2.x project keeps its configuration in four files under configs/
# (no setting.yaml); simulation.yaml holds the runner, so it stands for the project.
LEGACY_CONFIG_DIR = "configs"
LEGACY_SECTION_FILES: tuple[str, ...] = (
    "project.yaml",
    "input.yaml",
    "simulation.yaml",
    "evaluation.yaml",
)
LEGACY_MAIN_FILE = "simulation.yaml"


def project_config_file(folder: Path) -> Path | None:
    """The file holding ``folder``'s configuration, or None when it is no project:
    its setting.yaml, else a fluxloop-cli 0.2.x project's ``configs/simulation.yaml``."""
    for candidate in (folder / CONFIG_FILE_NAME, folder / LEGACY_CONFIG_DIR / LEGACY_MAIN_FILE):
        try:
            if candidate.is_file():
                return candidate
        except OSError:  # unreadable or a name too long: not a project
            return None
    return None


def is_legacy_config_file(path: Path) -> bool:
    """Whether ``path`` is a 0.2.x project's ``configs/simulation.yaml``."""
    return path.name == LEGACY_MAIN_FILE and path.parent.name == LEGACY_CONFIG_DIR


def config_project_dir(path: Path) -> Path:
    """The project folder of a config file (a 0.2.x section file sits one level down)."""
    return path.parent.parent if is_legacy_config_file(path) else path.parent


def _is_workspace_dir(folder: Path) -> bool:
    """Whether ``folder`` is a workspace's ``fluxloop/``: it has the shared .env or a project.

    A bare folder named fluxloop (a checkout of some repository) is not one.
    """
    try:
        if not folder.is_dir():
            return False
        if (folder / ".env").is_file():
            return True
        return any(project_config_file(child) is not None for child in folder.iterdir())
    except OSError:  # unreadable: not ours to use
        return False


def find_workspace(start: Path) -> Path | None:
    """The nearest workspace at or above ``start`` (which need not exist), or None.

    From inside ``WORKSPACE/fluxloop/NAME/...`` the ``fluxloop/`` folder on the way up
    wins over any ``fluxloop/`` inside it, so a workspace is never found nested in itself.
    """
    here = start.expanduser().absolute()
    for folder in (here, *here.parents):
        if folder.name == WORKSPACE_DIR_NAME and _is_workspace_dir(folder):
            return folder.parent
        if _is_workspace_dir(folder / WORKSPACE_DIR_NAME):
            return folder
    return None


def workspace_env_file(start: Path) -> Path | None:
    """The shared ``fluxloop/.env`` of the workspace at or above ``start``, if it has one."""
    workspace = find_workspace(start)
    if workspace is None:
        return None
    candidate = workspace / WORKSPACE_DIR_NAME / ".env"
    return candidate if candidate.is_file() else None


def project_names(workspace: Path) -> list[str]:
    """The projects of ``workspace/fluxloop/`` by name, sorted (their configs unread)."""
    root = workspace / WORKSPACE_DIR_NAME
    try:
        folders = list(root.iterdir())
    except OSError:  # no fluxloop/ folder, or one that cannot be listed
        return []
    return sorted(folder.name for folder in folders if project_config_file(folder) is not None)
