"""Listing a workspace's projects."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.scaffold import create_project
from fluxloop_core.workspace import list_projects
from fluxloop_tui.demo import build_demo_workspace


def test_projects_with_target_last_experiment_and_problems(tmp_path: Path) -> None:
    build_demo_workspace(tmp_path)
    create_project(tmp_path, "another")
    broken = tmp_path / "fluxloop" / "broken"
    broken.mkdir()
    (broken / "setting.yaml").write_text("name: x\nrunner: [\n")
    (tmp_path / "fluxloop" / "not-a-project").mkdir()
    projects = {p.name: p for p in list_projects(tmp_path)}
    assert sorted(projects) == ["another", "broken", "demo-agent"]
    demo = projects["demo-agent"]
    assert demo.target == "examples.simple_agent:run"
    assert (
        demo.last_experiment is not None
        and demo.last_experiment.path.name == "demo_20250930_150000"
    )
    assert projects["another"].last_experiment is None
    assert projects["broken"].problem is not None and "malformed YAML" in projects["broken"].problem
    assert list_projects(tmp_path / "empty") == []
