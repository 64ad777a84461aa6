"""A scaffolded project to generate inputs for."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.scaffold import create_project


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return create_project(tmp_path, "gen")
