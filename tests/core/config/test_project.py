"""Finding the project a command is about."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.project import find_project, open_config
from fluxloop_core.errors import ProjectNotFoundError


def make_project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "setting.yaml").write_text('name: p\nrunner:\n  target: "a:b"\n')
    return folder


def test_by_name_under_the_workspace(tmp_path: Path) -> None:
    project = make_project(tmp_path / "fluxloop" / "my-agent")
    assert find_project("my-agent", cwd=tmp_path).dir == project.resolve()


def test_by_path(tmp_path: Path) -> None:
    project = make_project(tmp_path / "somewhere" / "proj")
    assert find_project(str(project), cwd=Path("/")).config_path == project / "setting.yaml"


def test_from_a_subfolder_searches_upwards(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    (project / "examples").mkdir()
    assert find_project(None, cwd=project / "examples").dir == project.resolve()


def test_not_found_says_how_to_fix_it(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError) as info:
        find_project("ghost", cwd=tmp_path)
    assert "fluxloop init project --name ghost" in info.value.render()
    with pytest.raises(ProjectNotFoundError, match=r"no setting\.yaml"):
        find_project(None, cwd=tmp_path)


def test_open_config_prefers_explicit_config_relative_to_cwd(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    (project / "other.yaml").write_text('name: other\nrunner:\n  target: "a:b"\n')
    assert open_config(config="other.yaml", cwd=project).config.name == "other"
    assert open_config(project="proj", cwd=tmp_path).config.name == "p"
