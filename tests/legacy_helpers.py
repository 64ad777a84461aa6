"""Helpers for tests/legacy: the fixtures the released fluxloop-cli 0.2.36 made, and the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent / "fixtures" / "compat" / "fluxloop"
EXPERIMENT = "exp_20261201_231231"


def run_cli(*args: str, cwd: Path, code: int = 0) -> subprocess.CompletedProcess[str]:
    """The installed `fluxloop ARGS` in ``cwd``; asserts the exit code and no traceback.

    Not `python -m`: that puts cwd first on sys.path, where the workspace folder
    `fluxloop/` would shadow an editable install of the SDK for the fixture's agent.
    """
    result = subprocess.run(
        [str(Path(sys.executable).parent / "fluxloop"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ),
    )
    assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result
