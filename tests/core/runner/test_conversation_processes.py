"""Conversations in worker processes (``executor: processes``, ``runner.python_path``):
each conversation's turns stay on one worker, a Class.method target keeps one instance
per conversation there, and a turn's failure ends the conversation as in-process."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from conversation_helpers import (
    BRIEF,
    COUNTING_AGENT,
    HISTORY_AGENT,
    contents,
    middle_turn,
    run,
    setting,
)

from fluxloop_core.errors import UserError
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

PROCESSES = {"executor": "processes"}


def test_a_class_method_keeps_one_instance_per_conversation_freed_at_its_end(
    project: Project,
) -> None:
    project.write("agent.py", COUNTING_AGENT)
    text = setting(inputs=f"[{BRIEF}]", conversation="seed: 0", target="agent:Bot.reply")
    # One worker holds the three conversations one after another.
    traces = run(project, text.replace("parallel_runs: 4", "parallel_runs: 1"), **PROCESSES)

    replies = [t["output"].split(":") for t in traces]
    assert [(alive, seen) for alive, _, seen in replies] == [
        ("1", "x|ok"),
        ("1", "y|ok"),
        ("1", "z|ok"),
    ]
    assert len({pid for _, pid, _ in replies}) == 1


def test_each_conversation_stays_on_one_worker(project: Project) -> None:
    project.write("agent.py", "import os\n\ndef run(text, messages):\n    return os.getpid()\n")
    inputs = "[" + ", ".join(f'"i{n}"' for n in range(8)) + "]"
    traces = run(project, setting(inputs=inputs, extra="iterations: 2\n"), **PROCESSES)

    workers = [
        {turn["content"] for turn in t["turns"] if turn["role"] == "assistant"} for t in traces
    ]
    assert all(len(pids) == 1 for pids in workers)
    assert len(set().union(*workers)) > 1  # the conversations did spread over the pool
    assert max(t["turn_count"] for t in traces) > 1


def test_python_path_runs_conversations_in_that_interpreter(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    text = setting(inputs=f"[{BRIEF}]").replace(
        "  timeout_seconds: 0.5\n", f"  timeout_seconds: 5\n  python_path: {sys.executable}\n"
    )
    traces = run(project, text)

    assert [t["output"] for t in traces] == ["3:ok"] * 3
    assert contents(traces[0]) == ["x", "1:x", "ok", "3:ok"]


def test_same_seed_gives_the_same_conversations_as_in_process(project: Project) -> None:
    project.write("agent.py", "def run(text, messages):\n    return f'{len(messages)}:{text}'\n")
    inputs = "[" + ", ".join(f'"i{n}"' for n in range(12)) + "]"
    text = setting(inputs=inputs)

    here = run(project, text)
    there = run(project, text, **PROCESSES)

    def shape(trace: dict[str, Any]) -> tuple[Any, ...]:
        return (trace["run_id"], trace["persona"], trace["termination_reason"], contents(trace))

    assert [shape(t) for t in here] == [shape(t) for t in there]


def test_an_error_on_a_middle_turn_ends_with_agent_error(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    trace = middle_turn(project, "boom", **PROCESSES)

    assert trace["termination_reason"] == "agent_error"
    assert trace["turn_count"] == 3
    assert trace["error"]["type"] == "ValueError"


def test_a_timeout_on_a_middle_turn_ends_with_timeout(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    trace = middle_turn(project, "slow", **PROCESSES)

    assert trace["termination_reason"] == "timeout"
    assert trace["status"] == "timeout"
    assert trace["turn_count"] == 3


def test_a_worker_dying_mid_conversation_is_an_agent_error_saying_why(project: Project) -> None:
    project.write(
        "agent.py",
        HISTORY_AGENT.replace('raise ValueError("boom")', "import os; os._exit(3)"),
    )
    trace = middle_turn(project, "boom", **PROCESSES)

    assert trace["termination_reason"] == "agent_error"
    assert trace["turn_count"] == 3
    assert "exited with code 3" in trace["error"]["message"]
    assert trace["turns"][1]["status"] == "success"


def test_a_plain_function_without_history_param_is_refused_before_running(
    project: Project,
) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")

    with pytest.raises(UserError, match="history_param") as raised:
        run_experiment(
            project.config(setting(conversation="seed: 0")),
            RunOptions(use_collector=False, **PROCESSES),
        )

    assert raised.value.key == "conversation.history_param"
    assert raised.value.line is not None
    assert not (project.dir / "experiments").exists()
