"""Conversations through the CLI: Ctrl-C keeps finished conversations, --resume holds the
rest whole (with the --multi-turn flags it was started with), mistakes exit 2."""

from __future__ import annotations

import signal
import subprocess
import sys
from typing import Any

import pytest
from executor_helpers import wait_for_lines

Project = Any  # the `project` fixture of conftest.py

SLOW_AGENT = """
import time

def run(text, messages):
    time.sleep(0.02)
    return f"{len(messages)}:{text}"
"""

SETTING = """
name: talks
runner:
  target: "agent:run"
base_inputs: ["a", "b", "c", "d"]
iterations: 25
parallel_runs: 2
conversation:
  history_param: messages
personas:
  - name: curious
    follow_ups: [["why?"], ["how?"]]
  - name: brief
    follow_ups: [["ok"]]
"""


@pytest.mark.parametrize("executor", ["local", "processes"])
def test_ctrl_c_and_resume_hold_whole_conversations_with_the_flags_given(
    project: Project, executor: str
) -> None:
    project.write("agent.py", SLOW_AGENT)
    project.write("setting.yaml", SETTING)
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "fluxloop_core", "run", "experiment", "--quiet"),
            *("--no-collector", "--multi-turn", "--persona", "brief", "--executor", executor),
        ],
        cwd=project.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    experiment = wait_for_lines(project, 3, process)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    before = project.traces(experiment)
    assert 3 <= len(before) < 100

    resumed = project.cli(
        "run", "experiment", "--resume", str(experiment), "--no-collector", "--executor", executor
    )

    assert resumed.returncode == 0, resumed.stderr
    traces = project.traces(experiment)
    assert sorted(t["run_id"] for t in traces) == sorted(
        f"{i}.{n}" for i in range(4) for n in range(25)
    )
    assert traces[: len(before)] == before
    # Every conversation, before and after the resume, is brief's two turns.
    assert {(t["persona"], t["turn_count"], t["termination_reason"]) for t in traces} == {
        ("brief", 2, "script_complete")
    }
    assert {t["output"] for t in traces} == {"3:ok"}


def test_replayed_conversations_without_history_param_exit_2_naming_the_key(
    project: Project,
) -> None:
    project.write("agent.py", SLOW_AGENT)
    project.write(
        "calls.jsonl",
        '{"_version": "1", "iteration": 0, "target": "agent:run", "kwargs": {"text": "a", '
        '"messages": []}, "timestamp": "2026-01-01T00:00:00"}\n',
    )
    project.write(
        "setting.yaml",
        SETTING.replace("  history_param: messages\n", "  seed: 1\n")
        + "replay_args:\n  enabled: true\n  recording_file: calls.jsonl\n"
        + "  override_param_path: text\n",
    )

    result = project.cli("run", "experiment", "--no-collector", "--multi-turn")

    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert (
        "conversation.history_param: replayed conversations need conversation.history_param"
        in result.stderr
    )
    assert not (project.dir / "experiments").exists()


def test_an_input_naming_an_unknown_persona_exits_2_at_its_line(project: Project) -> None:
    project.write("agent.py", SLOW_AGENT)
    project.write(
        "setting.yaml",
        SETTING.replace(
            'base_inputs: ["a", "b", "c", "d"]',
            "base_inputs:\n  - input: a\n    metadata: {persona: nobody}",
        ),
    )

    result = project.cli("run", "experiment", "--no-collector", "--multi-turn")

    assert result.returncode == 2, result.stderr
    assert "setting.yaml:6" in result.stderr
    assert "persona 'nobody'" in result.stderr
    assert not (project.dir / "experiments").exists()
