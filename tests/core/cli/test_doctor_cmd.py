"""`fluxloop doctor` through the CLI: exit 0 when nothing fails, 1 when something does."""

from __future__ import annotations

import json
from pathlib import Path

from fluxloop_runner import Runner


def test_a_fresh_project_passes(project: Path, fluxloop: Runner) -> None:
    out = fluxloop("doctor", cwd=project).stdout
    assert out.splitlines()[0].startswith("ok    python")
    assert "agent sdk" in out


def test_a_failure_is_exit_1_with_its_fix(project: Path, fluxloop: Runner) -> None:
    (project / ".env").write_text("FLUXLOOP_RECORD_ARGS=perhaps\n")
    out = fluxloop("doctor", cwd=project, code=1).stdout
    assert "fail  recording" in out
    assert "fix: Fix the value" in out
    report = json.loads(fluxloop("doctor", "--json", cwd=project, code=1).stdout)
    assert report["ok"] is False
    assert [f["name"] for f in report["findings"] if f["level"] == "fail"] == ["recording"]


def test_unknown_project_is_exit_2(tmp_path: Path, fluxloop: Runner) -> None:
    assert (
        "no project 'nope'" in fluxloop("doctor", "--project", "nope", cwd=tmp_path, code=2).stderr
    )
