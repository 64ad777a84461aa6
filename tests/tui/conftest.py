"""A deterministic workspace for the TUI: a scaffolded project and one finished experiment."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_tui.demo import build_demo_workspace


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return build_demo_workspace(tmp_path)
