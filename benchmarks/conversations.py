"""Scripted conversations beside single runs: 1,000 conversations × 6 turns against
6,000 single runs of the same trivial agent (the same 6,000 agent calls).

The difference is what holding a conversation costs: the simulated user's pick of each
follow-up, the history handed to the agent, and one trace line carrying six turns
instead of six lines. Both run with parallel_runs 8, offline, in fresh processes.

    python benchmarks/conversations.py
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from _projects import run_fluxloop, write_project

TURNS = 6
CONVERSATIONS = 1_000
AGENT = """
def run(input_text, messages=None):
    return f"Processed: {input_text}"
"""
CONVERSATION = f"""
conversation:
  enabled: true
  max_turns: {TURNS}
  history_param: messages
personas:
  - name: scripted
    follow_ups: {[["and then?", "go on", "more"]] * (TURNS - 1)}
"""


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        single = write_project(
            Path(root) / "single", AGENT, inputs=100, iterations=CONVERSATIONS * TURNS // 100,
            parallel_runs=8,
        )  # fmt: skip
        talks = write_project(
            Path(root) / "talks", AGENT, inputs=100, iterations=CONVERSATIONS // 100,
            parallel_runs=8,
        )  # fmt: skip
        talks.write_text(talks.read_text() + CONVERSATION)
        seconds_single = run_fluxloop(single)
        seconds_talks = run_fluxloop(talks)
        (traces,) = talks.parent.glob("experiments/*/traces.jsonl")
        counts = {json.loads(line)["turn_count"] for line in traces.open()}
        assert counts == {TURNS}, f"conversations took {counts} turns, not {TURNS}"
    calls = CONVERSATIONS * TURNS
    print(f"{calls} single runs:                    {seconds_single:6.2f} s")
    print(f"{CONVERSATIONS} conversations × {TURNS} turns: {seconds_talks:6.2f} s")
    print(
        f"per agent call: {seconds_single / calls * 1e6:6.0f} µs single, "
        f"{seconds_talks / calls * 1e6:6.0f} µs in a conversation "
        f"({seconds_talks / seconds_single:.2f}×)"
    )


if __name__ == "__main__":
    main()
