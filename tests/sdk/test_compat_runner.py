"""The released-API corpus through ``fluxloop run experiment`` (a subprocess, offline)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from compat_helpers import AGENTS

SETTING = """
name: compat_corpus
runner:
  target: "agents.{target}"
  working_directory: "."
base_inputs:
  - input: "Hello world"
  - input: "how do I get started?"
iterations: 1
output_directory: "experiments"
"""


@pytest.mark.parametrize(
    ("target", "kinds"),
    [
        (
            "decorated:run",
            {"agent", "tool", "prompt", "trace", "chain", "generation", "event", "evaluation"},
        ),
        ("decorated:run_async", {"agent", "tool", "prompt", "generation"}),
        ("instrumented:run", {"instrument", "tool"}),
        ("recording:run", set()),
        ("models:run", set()),
    ],
)
def test_a_corpus_agent_runs_as_an_experiment(tmp_path: Path, target: str, kinds: set[str]) -> None:
    shutil.copytree(AGENTS, tmp_path / "agents", ignore=shutil.ignore_patterns("__pycache__"))
    (tmp_path / "setting.yaml").write_text(SETTING.format(target=target))
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--config", "setting.yaml",
         "--no-collector"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    (traces,) = tmp_path.glob("experiments/compat_corpus_*/traces.jsonl")
    runs = [json.loads(line) for line in traces.read_text().splitlines()]
    assert [run["status"] for run in runs] == ["success", "success"], runs
    for run in runs:
        assert {span["kind"] for span in run["spans"]} == kinds
