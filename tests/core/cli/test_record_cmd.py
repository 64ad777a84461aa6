"""`fluxloop record enable | disable | status` end to end."""

from __future__ import annotations

import json
from pathlib import Path

from fluxloop_runner import Runner


def test_enable_status_disable_round_trip(project: Path, fluxloop: Runner) -> None:
    workspace = project.parent.parent
    out = fluxloop("record", "enable", "--project", "my-agent", cwd=workspace).stdout
    assert "Recording is ON" in out
    assert str(project / "recordings" / "args.jsonl") in out
    status = json.loads(fluxloop("record", "status", "--json", cwd=project).stdout)
    assert status["recording"] is True
    assert [s["source"] for s in status["settings"]] == ["project .env", "project .env"]
    out = fluxloop("record", "disable", cwd=project).stdout
    assert "Recording is OFF" in out
    assert (
        json.loads(fluxloop("record", "status", "--json", cwd=project).stdout)["recording"] is False
    )


def test_shell_override_is_reported(project: Path, fluxloop: Runner) -> None:
    fluxloop("record", "enable", cwd=project)
    out = fluxloop("record", "status", cwd=project, env={"FLUXLOOP_RECORD_ARGS": "off"}).stdout
    assert "Recording is OFF" in out
    assert "set in your shell" in out


def test_mistakes_are_exit_2_with_one_paragraph(project: Path, fluxloop: Runner) -> None:
    result = fluxloop("record", "enable", "--file", "recordings", cwd=project, code=2)
    assert "is a folder" in result.stderr
    (project / ".env").write_text("FLUXLOOP_RECORD_ARGS=perhaps\n")
    result = fluxloop("record", "status", cwd=project, code=2)
    assert f"{project / '.env'}:1" in result.stderr
    result = fluxloop("record", "status", "--project", "nope", cwd=project, code=2)
    assert "no project 'nope'" in result.stderr


def test_group_alone_prints_its_help(tmp_path: Path, fluxloop: Runner) -> None:
    result = fluxloop("record", cwd=tmp_path, code=2)
    assert "enable" in result.stdout and "status" in result.stdout
