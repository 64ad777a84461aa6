"""`run experiment --dry-run` on conversations: personas, turns, history and the simulated
user are told; nothing is called, not even the LLM user's endpoint."""

from __future__ import annotations

import json
from typing import Any

from chat_server import serving

Project = Any  # the `project` fixture of conftest.py

# The agent leaves a file when it is called: a dry run must never leave it.
AGENT = """
from pathlib import Path

def run(text, messages):
    Path("called").write_text("yes")
    return text
"""
SETTING = """
name: talks
runner:
  target: agent:run
base_inputs: ["a", "b", "c", {{input: "d", metadata: {{persona: brief}}}}]
conversation:
  enabled: true
  max_turns: 3
  history_param: messages
{simulator}personas:
  - name: curious
    follow_ups: [["why?"]]
  - name: brief
    follow_ups: [["ok"]]
"""


def test_the_dry_run_tells_the_conversations(project: Project) -> None:
    project.write("agent.py", AGENT)
    project.write("setting.yaml", SETTING.format(simulator=""))

    done = project.cli("run", "experiment", "--dry-run", "--no-collector")
    forced = project.cli("run", "experiment", "--dry-run", "--json", "--persona", "brief")

    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "conversation up to 3 agent turns each, history by keyword messages" in out
    # Round-robin by input: a, c curious; b brief; d names brief.
    assert "personas    curious (2 inputs), brief (2 inputs)" in out
    assert "simulator   scripted (the personas' follow_ups)" in out
    plan = json.loads(forced.stdout)["conversation"]
    assert plan["personas"] == {"curious": 0, "brief": 4}
    assert plan["forced_persona"] == "brief"
    assert plan["simulator"] == {"mode": "scripted"}
    assert not (project.dir / "called").exists()
    assert project.experiments() == []


def test_the_llm_user_is_named_and_not_contacted(project: Project) -> None:
    project.write("agent.py", AGENT)
    with serving() as server:
        simulator = "  simulator: {mode: llm, model: user-model, temperature: 0.2}\n"
        llm = (
            "input_generation:\n  llm: {enabled: true, provider: local, "
            f"base_url: '{server.base_url}'}}\n"
        )
        project.write("setting.yaml", SETTING.format(simulator=simulator) + llm)
        done = project.cli_env(
            {"FLUXLOOP_LLM_API_KEY": "sk-dry-secret-1357"}, "run", "experiment", "--dry-run"
        )
        as_json = project.cli_env(
            {"FLUXLOOP_LLM_API_KEY": "sk-dry-secret-1357"},
            "run",
            "experiment",
            "--dry-run",
            "--json",
        )

    assert done.returncode == 0, done.stderr
    assert (
        f"simulator   llm user-model at {server.base_url}, temperature 0.2 (not contacted)"
        in done.stdout
    )
    assert json.loads(as_json.stdout)["conversation"]["simulator"]["model"] == "user-model"
    assert server.requests == []
    assert "sk-dry-secret-1357" not in done.stdout + as_json.stdout


def test_single_calls_say_nothing_of_conversations(project: Project) -> None:
    project.write("agent.py", AGENT)
    project.write(
        "setting.yaml", SETTING.format(simulator="").replace("enabled: true", "enabled: false")
    )

    done = project.cli("run", "experiment", "--dry-run", "--json")

    assert json.loads(done.stdout)["conversation"] is None
