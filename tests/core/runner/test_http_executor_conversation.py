"""Conversations with an agent behind HTTP: each turn one request carrying the history,
against a real agent server on 127.0.0.1."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from agent_server import agent_serving, send_json

from fluxloop_core.errors import UserError
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of tests/core/runner/conftest.py


def counting(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
    """Answers with how many messages it was sent and the latest one."""
    messages = body.get("messages") or body.get("payload", {}).get("history") or []
    send_json(handler, {"text": f"{len(messages)}:{messages[-1]['content']}"})


def setting(url: str, http: str, conversation: str) -> str:
    return (
        "name: conv\nrunner:\n"
        f'  http: {{url: "{url}", response_path: text, {http}}}\n'
        'base_inputs: [{input: "hi", metadata: {persona: p}}]\n'
        f"conversation:\n  enabled: true\n  max_turns: 6\n{conversation}"
        'personas:\n  - name: p\n    follow_ups: [["more"]]\n'
    )


def run(project: Project, text: str) -> dict[str, Any]:
    result = run_experiment(project.config(text), RunOptions(use_collector=False))
    (trace,) = project.traces(result.experiment_dir)
    return trace


def test_history_param_names_the_body_key_that_receives_the_conversation(
    project: Project,
) -> None:
    with agent_serving(counting) as agent:
        trace = run(
            project,
            setting(agent.url, 'body: {message: "{input}"}', "  history_param: messages\n"),
        )

    assert trace["status"] == "success", trace["error"]
    assert [t["content"] for t in trace["turns"]] == ["hi", "1:hi", "more", "3:more"]
    assert trace["turn_count"] == 2
    first, second = (body for _, body in agent.requests)
    assert first == {"message": "hi", "messages": [{"role": "user", "content": "hi"}]}
    assert second["message"] == "more"
    assert second["messages"] == [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "1:hi"},
        {"role": "user", "content": "more"},
    ]


def test_a_body_value_that_is_history_receives_the_list(project: Project) -> None:
    with agent_serving(counting) as agent:
        trace = run(project, setting(agent.url, 'body: {payload: {history: "{history}"}}', ""))

    assert trace["output"] == "3:more"
    assert agent.requests[1][1]["payload"]["history"][1] == {
        "role": "assistant",
        "content": "1:hi",
    }


def test_a_conversation_the_agent_cannot_see_is_refused(project: Project) -> None:
    text = setting("http://127.0.0.1:9/chat", 'body: {message: "{input}"}', "")

    with pytest.raises(UserError, match="history_param is not set") as raised:
        run_experiment(project.config(text), RunOptions(use_collector=False))

    assert raised.value.key == "conversation.history_param"
    assert '"{history}"' in (raised.value.hint or "")
    assert not (project.dir / "experiments").exists()


def test_config_validate_names_a_conversation_the_agent_cannot_see(project: Project) -> None:
    project.write("setting.yaml", setting("http://127.0.0.1:9/chat", "", ""))

    done = project.cli("config", "validate", "--config", "setting.yaml")

    assert done.returncode == 2, done.stdout + done.stderr
    said = done.stdout + done.stderr
    assert "conversation.history_param" in said and '"{history}"' in said


def test_a_failed_middle_turn_ends_the_conversation_as_an_error(project: Project) -> None:
    with agent_serving(counting) as agent:
        agent.script.append(counting)
        agent.script.append(lambda handler, body: send_json(handler, {"no": 1}, 500))
        text = setting(agent.url, 'body: {message: "{input}"}', "  history_param: messages\n")
        trace = run(project, text)

    assert trace["status"] == "error"
    assert "HTTP 500" in trace["error"]["message"]
    assert [t["content"] for t in trace["turns"]][:2] == ["hi", "1:hi"]
