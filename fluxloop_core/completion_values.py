"""What shell completion offers for values that depend on where the user stands.

Asked on every Tab press (``fluxloop completion --values KIND``), so it reads as little as
it can and never fails: a folder that is no project, or a config that does not load,
offers nothing rather than an error in the middle of the user's command line.
"""

from __future__ import annotations

import os
from pathlib import Path

from fluxloop_core.config.layout import find_workspace, project_names
from fluxloop_core.config.project import find_project, load_project_config
from fluxloop_core.errors import UserError
from fluxloop_core.results.reader import list_experiments


def completion_values(kind: str, cwd: Path) -> list[str]:
    """``projects``: the project names of the workspace around ``cwd``; ``experiments``:
    the experiment folders of the project around ``cwd``, newest first, as paths from
    ``cwd``."""
    if kind == "projects":
        workspace = find_workspace(cwd)
        return project_names(workspace) if workspace is not None else []
    try:
        loaded = load_project_config(find_project(None, cwd=cwd).config_path)
    except (UserError, OSError):
        return []
    return [
        os.path.relpath(listing.path, cwd)
        for listing in list_experiments(loaded.config.output_directory)
    ]
