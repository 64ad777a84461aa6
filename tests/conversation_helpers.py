"""Conversations for runner tests: agents that show what they saw, a setting with two
scripted personas, and reading the turns back (tests/core/runner's conversation tests)."""

from __future__ import annotations

from typing import Any

from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of tests/core/runner/conftest.py

# Replies with what it saw: the history's length and the latest message.
HISTORY_AGENT = """
def run(text, messages):
    assert messages[-1] == {"role": "user", "content": text}
    if text == "boom":
        raise ValueError("boom")
    if text == "slow":
        import time
        time.sleep(5)
    return f"{len(messages)}:{text}"
"""

# Keeps its own history: one instance per conversation.
INSTANCE_AGENT = """
class Bot:
    def __init__(self):
        self.seen = []

    def reply(self, text):
        self.seen.append(text)
        return "|".join(self.seen)
"""

PERSONAS = """
personas:
  - name: curious
    description: asks more
    characteristics: [patient]
    language: en
    expertise_level: novice
    goals: [learn]
    follow_ups:
      - ["why?", "how?", "what?", "when?"]
      - ["boom", "slow"]
      - ["thanks"]
    stop_when: ["(?i)^5:thanks"]
  - name: brief
    follow_ups:
      - ["ok"]
"""


def setting(
    inputs: str = '["a", "b", "c"]',
    conversation: str = "history_param: messages",
    target: str = "agent:run",
    extra: str = "",
) -> str:
    return (
        f"name: conv\nrunner:\n  target: {target}\n  timeout_seconds: 0.5\n"
        f"base_inputs: {inputs}\nparallel_runs: 4\n"
        f"conversation:\n  enabled: true\n  max_turns: 6\n  {conversation}\n" + PERSONAS + extra
    )


def run(project: Project, text: str, **options: Any) -> list[dict[str, Any]]:
    result = run_experiment(project.config(text), RunOptions(use_collector=False, **options))
    traces = project.traces(result.experiment_dir)
    return sorted(traces, key=lambda t: t["run_id"])


def contents(trace: dict[str, Any]) -> list[Any]:
    return [turn["content"] for turn in trace["turns"]]


def middle_turn(project: Project, word: str, **options: Any) -> dict[str, Any]:
    """The first of many conversations whose second follow-up is ``word``."""
    inputs = "[" + ", ".join(f'"i{n}"' for n in range(12)) + "]"
    traces = run(project, setting(inputs=inputs, extra="iterations: 1\n"), **options)
    return next(
        t
        for t in traces
        if t["persona"] == "curious" and len(t["turns"]) >= 5 and t["turns"][4]["content"] == word
    )


# How many of its instances are alive, and what this instance heard.
COUNTING_AGENT = """
import os

alive = 0

class Bot:
    def __init__(self):
        global alive
        alive += 1
        self.seen = []

    def __del__(self):
        global alive
        alive -= 1

    def reply(self, text):
        self.seen.append(text)
        return f"{alive}:{os.getpid()}:" + "|".join(self.seen)
"""

BRIEF = ", ".join(f'{{input: "{word}", metadata: {{persona: brief}}}}' for word in "xyz")
