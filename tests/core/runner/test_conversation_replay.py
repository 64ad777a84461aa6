"""Replayed conversations: the first turn is the recorded call, later turns write their
message at override_param_path and the history at history_param (in-process and in
worker processes alike)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from fluxloop_core.errors import UserError
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

AGENT = """
def handle(data, messages, send):
    send({"heard": data["content"]})
    return f"{len(messages)}:{messages[0]['content']}:{data['content']}:{data['meta']}"
"""

RECORDED = {
    "data": {"content": "original", "meta": "m"},
    "messages": [{"role": "user", "content": "recorded"}],
    "send": "<builtin:collector.send>",
}

SETTING = """
name: replayed
runner:
  target: "agent:handle"
replay_args:
  enabled: true
  recording_file: calls.jsonl
  callable_providers: {send: "builtin:collector.send"}
  override_param_path: data.content
base_inputs: ["hi", "yo"]
conversation:
  enabled: true
  history_param: messages
personas:
  - name: brief
    follow_ups: [["ok"], ["bye"]]
"""


def write(project: Project, setting: str = SETTING) -> None:
    project.write("agent.py", AGENT)
    line = {
        "_version": "1",
        "iteration": 0,
        "target": "agent:handle",
        "kwargs": RECORDED,
        "timestamp": "2026-01-01T00:00:00",
    }
    project.write("calls.jsonl", json.dumps(line) + "\n")
    project.write("setting.yaml", setting)


@pytest.mark.parametrize("executor", ["local", "processes"])
def test_first_turn_replays_the_call_later_turns_carry_the_history(
    project: Project, executor: str
) -> None:
    write(project)
    result = run_experiment(
        project.config(SETTING), RunOptions(use_collector=False, executor=executor)
    )
    traces = sorted(project.traces(result.experiment_dir), key=lambda t: t["run_id"])

    first = traces[0]
    assert [t["content"] for t in first["turns"]] == [
        "hi",
        "1:recorded:hi:m",  # the recorded call's own messages, the input written in
        "ok",
        "3:hi:ok:m",  # the conversation's history: hi, its reply, ok
        "bye",
        "5:hi:bye:m",
    ]
    assert first["termination_reason"] == "script_complete"
    assert [call["args"] for call in first["callback_calls"]] == [
        [{"heard": "hi"}],
        [{"heard": "ok"}],
        [{"heard": "bye"}],
    ]
    assert [len(t["callback_calls"]) for t in first["turns"] if t["role"] == "assistant"] == [
        1,
        1,
        1,
    ]
    assert traces[1]["output"] == "5:yo:bye:m"


@pytest.mark.parametrize(
    ("drop", "key"),
    [
        ("  history_param: messages\n", "conversation.history_param"),
        ("  override_param_path: data.content\n", "replay_args.override_param_path"),
    ],
)
def test_replayed_conversations_need_history_param_and_override_path(
    project: Project, drop: str, key: str
) -> None:
    setting = SETTING.replace(drop, "")
    write(project, setting)

    with pytest.raises(UserError, match=key.split(".")[-1]) as raised:
        run_experiment(project.config(setting), RunOptions(use_collector=False))

    assert raised.value.key == key
    assert raised.value.line is not None
    assert not (project.dir / "experiments").exists()
