"""A small graded project and the real `fluxloop` command, for the evaluation CLI tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

AGENT = """
def run(text):
    if "balance" in text:
        return "Your balance is 42 USD"
    return "I cannot help with that"
"""

SETTING = """name: graded
runner:
  target: "agent:run"
  working_directory: "."
base_inputs:
  - input: "What is my balance?"
    checks:
      - check: contains
        keywords: ["balance"]
  - input: "Tell me a joke"
iterations: 2
evaluation:
  checks:
    - check: output_not_empty
    - check: not_contains
      keywords: ["{bad}"]
"""


PER_INPUT_CHECKS = '    checks:\n      - check: contains\n        keywords: ["balance"]\n'


def write_project(
    folder: Path, bad_word: str = "Traceback", extra: str = "", *, graded: bool = True
) -> Path:
    """setting.yaml + agent.py in ``folder``; ``bad_word`` is what not_contains refuses;
    ``graded=False``: no checks at all."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "agent.py").write_text(AGENT)
    config = folder / "setting.yaml"
    text = SETTING.replace("{bad}", bad_word)
    if not graded:
        text = text.split("evaluation:")[0].replace(PER_INPUT_CHECKS, "")
    config.write_text(text + extra)
    return config


def fluxloop(
    *args: str, cwd: Path, code: int, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m fluxloop_core ARGS`; asserts the exit code and that no traceback shows."""
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result
