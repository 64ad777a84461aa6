"""A copy of the workspace the released fluxloop-cli 0.2.36 made (tests/fixtures/compat)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from legacy_helpers import FIXTURE


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """tmp_path holding fluxloop/demo-agent as 0.2.36 wrote it (the fixture stays clean)."""
    shutil.copytree(FIXTURE, tmp_path / "fluxloop")
    return tmp_path


@pytest.fixture()
def legacy_project(workspace: Path) -> Path:
    return workspace / "fluxloop" / "demo-agent"
