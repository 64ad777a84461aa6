"""Where a workspace is: the one walker every command uses to find ``WORKSPACE/fluxloop/``.

A workspace is a folder holding ``fluxloop/``, which holds the shared ``.env`` and one
folder per project (``fluxloop/NAME/setting.yaml``).
"""

from __future__ import annotations

from pathlib import Path

WORKSPACE_DIR_NAME = "fluxloop"
CONFIG_FILE_NAME = "setting.yaml"


def _is_workspace_dir(folder: Path) -> bool:
    """Whether ``folder`` is a workspace's ``fluxloop/``: it has the shared .env or a project.

    A bare folder named fluxloop (a checkout of some repository) is not one.
    """
    try:
        if not folder.is_dir():
            return False
        if (folder / ".env").is_file():
            return True
        return any((child / CONFIG_FILE_NAME).is_file() for child in folder.iterdir())
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
