"""Run the real `fluxloop` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

Runner = Callable[..., subprocess.CompletedProcess[str]]


def run_fluxloop(
    *args: str,
    cwd: Path,
    code: int = 0,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m fluxloop_core ARGS` in ``cwd``; asserts the exit code and no traceback."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )
    assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture()
def fluxloop() -> Runner:
    return run_fluxloop


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A freshly scaffolded workspace project: tmp_path/fluxloop/my-agent."""
    run_fluxloop("init", "project", "--name", "my-agent", cwd=tmp_path)
    return tmp_path / "fluxloop" / "my-agent"


PLAIN_AGENT = 'def run(input_text: str) -> str:\n    return f"Processed: {input_text}"\n'


@pytest.fixture()
def plain_project(project: Path) -> Path:
    """The scaffold with an agent that does not import the SDK, for checks of the core
    alone (the SDK is tested on its own)."""
    (project / "examples" / "simple_agent.py").write_text(PLAIN_AGENT)
    return project
