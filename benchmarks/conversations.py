"""Scripted conversations beside single runs: 1,000 conversations × 6 turns against
6,000 single runs of the same trivial agent (the same 6,000 agent calls), in this
process and in worker processes (``executor: processes``).

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


def on_processes(config: Path) -> Path:
    """The same project run in worker processes (``executor: processes``)."""
    copy = config.with_name("processes.yaml")
    text = config.read_text().replace(
        '  target: "agent:run"\n', '  target: "agent:run"\n  executor: processes\n'
    )
    copy.write_text(text.replace("name: bench", "name: bench-processes"))
    return copy


def main() -> None:
    seconds: dict[tuple[str, str], float] = {}
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
        for kind, config in (("single", single), ("talks", talks)):
            seconds[kind, "in-process"] = run_fluxloop(config)
            seconds[kind, "processes"] = run_fluxloop(on_processes(config))
        for traces in talks.parent.glob("experiments/*/traces.jsonl"):
            counts = {json.loads(line)["turn_count"] for line in traces.open()}
            assert counts == {TURNS}, f"conversations took {counts} turns, not {TURNS}"
    calls = CONVERSATIONS * TURNS
    print(f"{'':32} {'in-process':>10} {'processes':>10}")
    for kind, label in (
        ("single", f"{calls} single runs"),
        ("talks", f"{CONVERSATIONS} conversations × {TURNS} turns"),
    ):
        here, there = seconds[kind, "in-process"], seconds[kind, "processes"]
        print(f"{label + ':':32} {here:8.2f} s {there:8.2f} s")
    for where in ("in-process", "processes"):
        one, talk = seconds["single", where], seconds["talks", where]
        print(
            f"per agent call ({where}): {one / calls * 1e6:6.0f} µs single, "
            f"{talk / calls * 1e6:6.0f} µs in a conversation ({talk / one:.2f}×)"
        )


if __name__ == "__main__":
    main()
