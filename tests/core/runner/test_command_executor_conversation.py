"""Conversations over runner.command: each agent turn is one request whose line carries
the conversation so far (``history``), on both protocols and in both languages."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.runner.experiment import RunOptions, run_experiment

AGENTS = Path(__file__).resolve().parents[2] / "command_agents"
LANGUAGES = [
    pytest.param([sys.executable, str(AGENTS / "agent.py")], id="python"),
    pytest.param(
        ["node", str(AGENTS / "agent.js")],
        id="javascript",
        marks=pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed"),
    ),
]

Project = Any  # the `project` fixture of conftest.py


def setting(argv: list[str], protocol: str, follow_ups: str) -> str:
    if protocol == "per_run":
        argv = [*argv, "--per-run"]
    return (
        f"name: conv\nrunner:\n  command: {json.dumps(argv)}\n  protocol: {protocol}\n"
        '  timeout_seconds: 20\nbase_inputs: [{input: "hi", metadata: {persona: brief}}]\n'
        "conversation:\n  enabled: true\n  max_turns: 4\n"
        f"personas:\n  - name: brief\n    follow_ups: {follow_ups}\n"
    )


def run(project: Project, text: str) -> dict[str, Any]:
    result = run_experiment(project.config(text), RunOptions(use_collector=False))
    (trace,) = project.traces(result.experiment_dir)
    return trace


@pytest.mark.parametrize("argv", LANGUAGES)
@pytest.mark.parametrize("protocol", ["jsonl", "per_run"])
def test_each_turn_sees_the_conversation_so_far(
    project: Project, argv: list[str], protocol: str
) -> None:
    trace = run(project, setting(argv, protocol, '[["ok"], ["bye"]]'))

    assert [t["content"] for t in trace["turns"]] == [
        "hi",
        "echo: hi [1 messages]",
        "ok",
        "echo: ok [3 messages]",
        "bye",
        "echo: bye [5 messages]",
    ]
    assert trace["status"] == "success"
    assert trace["termination_reason"] == "script_complete"
    assert trace["usage"]["input_tokens"] == len("hi") + len("ok") + len("bye")


@pytest.mark.parametrize("argv", LANGUAGES)
def test_a_process_dying_on_a_middle_turn_ends_the_conversation_as_an_error(
    project: Project, argv: list[str]
) -> None:
    trace = run(project, setting(argv, "jsonl", '[["die"], ["bye"]]'))

    assert trace["status"] == "error"
    assert trace["error"]["type"] == "ProcessExited"
    assert "dying on purpose" in trace["error"]["traceback"]
    contents = [t["content"] for t in trace["turns"]]
    assert contents == ["hi", "echo: hi [1 messages]", "die", None]  # the failed turn
    assert trace["termination_reason"] == "agent_error"
