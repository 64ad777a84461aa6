"""The error corpus: every broken config is exit 2, one paragraph, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from fluxloop_runner import Runner

CASES: dict[str, tuple[bytes | None, str]] = {
    "malformed": (b"name: x\nrunner:\n  target: [unclosed\n", "malformed YAML"),
    "wrong_type": (
        b'name: x\nrunner:\n  target: "a:b"\niterations: many\n',
        "iterations",
    ),
    "empty": (b"", "is empty"),
    "directory": (None, "is a directory"),
    "non_utf8": (b"name: caf\xe9\nrunner:\n  target: a:b\n", "not UTF-8"),
    "alias_bomb": (
        b'name: x\nrunner:\n  target: "a:b"\n'
        + b"l0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        + b"".join(
            f"l{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]\n".encode() for n in range(1, 9)
        ),
        "through aliases",
    ),
    "unknown_key": (
        b'name: x\nrunner:\n  target: "a:b"\niteratons: 3\n',
        "Did you mean iterations?",
    ),
}


def _make(tmp_path: Path, case: str) -> Path:
    content, _ = CASES[case]
    path = tmp_path / "setting.yaml"
    if content is None:
        path.mkdir()
    else:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_show_reports_one_paragraph(tmp_path: Path, fluxloop: Runner, case: str) -> None:
    _make(tmp_path, case)
    result = fluxloop("config", "show", "--config", "setting.yaml", cwd=tmp_path, code=2)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "setting.yaml" in lines[0]
    assert CASES[case][1] in lines[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_config_validate_lists_the_problem(tmp_path: Path, fluxloop: Runner, case: str) -> None:
    _make(tmp_path, case)
    result = fluxloop("config", "validate", "--config", "setting.yaml", cwd=tmp_path, code=2)
    assert CASES[case][1] in result.stdout
    assert "problem" in result.stdout.splitlines()[-1]


@pytest.mark.parametrize("case", ["malformed", "unknown_key", "non_utf8", "alias_bomb"])
def test_status_check_fails_the_config_line(tmp_path: Path, fluxloop: Runner, case: str) -> None:
    folder = tmp_path / "proj"
    folder.mkdir()
    _make(folder, case)
    result = fluxloop("status", "check", "--project", "proj", cwd=tmp_path, code=2)
    assert result.stdout.startswith("fail  config")
    assert CASES[case][1] in result.stdout


def test_unknown_key_has_file_line_and_suggestion(tmp_path: Path, fluxloop: Runner) -> None:
    _make(tmp_path, "unknown_key")
    result = fluxloop("config", "show", "--config", "setting.yaml", cwd=tmp_path, code=2)
    assert "setting.yaml:4:1: iteratons: unknown key. Did you mean iterations?" in result.stderr


def test_missing_config_and_missing_project(tmp_path: Path, fluxloop: Runner) -> None:
    result = fluxloop("config", "show", "--config", "nope.yaml", cwd=tmp_path, code=2)
    assert "config file not found" in result.stderr
    for command in (
        ("config", "show"),
        ("config", "validate"),
        ("status", "check"),
        ("config", "set-llm", "openai", "sk-1234"),
    ):
        result = fluxloop(*command, cwd=tmp_path, code=2)
        assert "no setting.yaml" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1
    result = fluxloop("status", "check", "--project", "ghost", cwd=tmp_path, code=2)
    assert "no project 'ghost'" in result.stderr


@pytest.mark.parametrize("case", ["malformed", "alias_bomb"])
def test_set_llm_on_a_broken_config_names_the_line(
    tmp_path: Path, fluxloop: Runner, case: str
) -> None:
    _make(tmp_path, case)
    before = (tmp_path / "setting.yaml").read_bytes()
    result = fluxloop("config", "set-llm", "openai", "sk-1234", cwd=tmp_path, code=2)
    assert "setting.yaml:" in result.stderr and CASES[case][1] in result.stderr
    assert (tmp_path / "setting.yaml").read_bytes() == before
    assert not (tmp_path / ".env").exists()
