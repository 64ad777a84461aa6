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


def test_one_workspace_finder_from_anywhere_inside(tmp_path: Path) -> None:
    from fluxloop_core.config.layout import find_workspace, workspace_env_file

    project = create_project(tmp_path, "agent")
    for start in (
        tmp_path,
        tmp_path / "fluxloop",
        project,
        project / "examples",
        tmp_path / "docs" / "not" / "made" / "yet",  # need not exist
    ):
        assert find_workspace(start) == tmp_path, start
        assert workspace_env_file(start) == tmp_path / "fluxloop" / ".env"
    # A project without the shared .env still marks its workspace.
    (tmp_path / "fluxloop" / ".env").unlink()
    assert find_workspace(project) == tmp_path and workspace_env_file(project) is None
    # A folder named fluxloop with neither is no workspace (a checkout, say).
    lonely = tmp_path.parent / f"{tmp_path.name}-lonely"
    (lonely / "fluxloop" / "src").mkdir(parents=True)
    assert find_workspace(lonely / "fluxloop" / "src") is None
    assert find_workspace(lonely) is None


def test_an_inner_fluxloop_folder_does_not_make_a_nested_workspace(tmp_path: Path) -> None:
    from fluxloop_core.config.layout import find_workspace

    project = create_project(tmp_path, "agent")
    inner = create_project(tmp_path / "fluxloop", "stray")  # created in the outer one
    assert inner == tmp_path / "fluxloop" / "stray"
    assert find_workspace(project) == tmp_path
