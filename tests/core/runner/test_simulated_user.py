"""The LLM simulated user against a real chat-completions server on 127.0.0.1: upstream's
JSON contract, ###STOP###, retries, broken answers, the cache, the switch and the key."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from chat_server import ChatServer, completion, serving

from fluxloop_core.errors import UserError
from fluxloop_core.generation import client
from fluxloop_core.preflight import validate_project
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

KEY = "sk-simulator-secret-24680"
AGENT = "def run(text, messages):\n    return f'{len(messages)}:{text}'\n"


def decision(**fields: Any) -> Any:
    """A reply of the simulated user's model in upstream's JSON form."""
    return lambda request: completion(json.dumps(fields))


def plain(text: str) -> Any:
    return lambda request: completion(text)


def failing(status: int, headers: dict[str, str] | None = None) -> Any:
    return lambda request: (status, headers or {}, {"error": {"message": "busy"}})


def continuing(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    return completion(json.dumps({"should_continue": True, "next_message": "more please"}))


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ChatServer]:
    monkeypatch.setattr(client, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setenv("FLUXLOOP_LLM_API_KEY", KEY)
    with serving(continuing) as chat:
        yield chat


def setting(server: ChatServer, *, enabled: bool = True, simulator: str = "") -> str:
    return f"""
name: sim
runner:
  target: agent:run
base_inputs: ["hi"]
input_generation:
  llm:
    enabled: {str(enabled).lower()}
    provider: local
    model: gen-model
    base_url: {server.base_url}
    timeout_seconds: 2
    max_retries: 1
conversation:
  enabled: true
  max_turns: 4
  history_param: messages
  simulator:
    mode: llm
    model: user-model
    temperature: 0.3
{simulator}personas:
  - name: curious
    description: a first-time customer
    characteristics: [patient, polite]
    goals: [learn the total]
    language: fr
    expertise_level: novice
"""


def run(project: Project, text: str, **options: Any) -> dict[str, Any]:
    project.write("agent.py", AGENT)
    result = run_experiment(project.config(text), RunOptions(use_collector=False, **options))
    (trace,) = project.traces(result.experiment_dir)
    return dict(trace)


def contents(trace: dict[str, Any]) -> list[Any]:
    return [turn["content"] for turn in trace["turns"]]


def test_the_model_writes_follow_ups_until_it_stops(project: Project, server: ChatServer) -> None:
    server.script = [
        decision(should_continue=True, next_message="And the total?"),
        decision(should_continue=False, next_message="", termination_reason="got the total"),
    ]
    trace = run(project, setting(server, simulator="    system_prompt: Be terse.\n"))

    assert contents(trace) == ["hi", "1:hi", "And the total?", "3:And the total?"]
    assert [t["source"] for t in trace["turns"]] == ["input", "agent", "llm:curious", "agent"]
    assert trace["termination_reason"] == "stop_condition"
    assert trace["termination_detail"] == "got the total"
    assert trace["status"] == "success"
    assert trace["output"] == "3:And the total?"
    _, body = server.requests[1]
    assert body["model"] == "user-model"
    assert body["temperature"] == 0.3
    system, user = body["messages"]
    assert system["content"].startswith("Be terse.")
    for said in ("a first-time customer", "patient; polite", "learn the total", "fr", "novice"):
        assert said in system["content"]
    # The model sees the whole conversation, the agent's last reply included.
    assert (
        json.dumps(
            [
                {"role": "user", "content": "hi"},
                {"role": "assistant", "content": "1:hi"},
                {"role": "user", "content": "And the total?"},
                {"role": "assistant", "content": "3:And the total?"},
            ]
        )
        in user["content"]
    )


def test_plain_text_is_the_next_message_and_stop_marker_ends(
    project: Project, server: ChatServer
) -> None:
    server.script = [plain("Is it cheaper in June?"), plain("Thanks, that is all. ###STOP###")]
    trace = run(project, setting(server))

    assert contents(trace)[2] == "Is it cheaper in June?"
    assert trace["termination_reason"] == "stop_condition"
    assert trace["termination_detail"] == "###STOP###"
    assert trace["turn_count"] == 2


def test_stop_marker_inside_next_message_ends(project: Project, server: ChatServer) -> None:
    server.script = [decision(should_continue=True, next_message="bye ###STOP###")]
    trace = run(project, setting(server))

    assert trace["termination_reason"] == "stop_condition"
    assert trace["turn_count"] == 1


@pytest.mark.parametrize(
    ("reply", "says"),
    [
        (plain('{"should_continue": tru'), "not valid JSON"),
        (plain('```json\n{"next_message": "x"}\n```'), "no should_continue"),
        (decision(should_continue="yes", next_message="x"), "no should_continue"),
        (decision(should_continue=True), "without a next_message"),
        (decision(should_continue=True, next_message="  "), "without a next_message"),
        (plain(""), "answered nothing"),
    ],
)
def test_a_broken_answer_ends_with_simulator_error(
    project: Project, server: ChatServer, reply: Any, says: str
) -> None:
    server.script = [reply]
    trace = run(project, setting(server))

    assert trace["termination_reason"] == "simulator_error"
    assert trace["status"] == "error"
    assert trace["error"]["type"] == "SimulatorError"
    assert says in trace["error"]["message"]
    assert says in trace["termination_detail"]
    assert contents(trace) == ["hi", "1:hi"]  # the agent's turn is kept
    assert trace["output"] == "1:hi"


def test_server_errors_are_retried_then_end_with_simulator_error(
    project: Project, server: ChatServer
) -> None:
    server.fallback = failing(500)
    trace = run(project, setting(server))

    assert trace["termination_reason"] == "simulator_error"
    assert "failed after 2 attempts (last: HTTP 500)" in trace["error"]["message"]
    assert len(server.requests) == 2  # max_retries: 1


def test_429_is_retried_after_its_retry_after(project: Project, server: ChatServer) -> None:
    server.script = [
        failing(429, {"Retry-After": "0"}),
        decision(should_continue=False, termination_reason="done"),
    ]
    trace = run(project, setting(server))

    assert trace["termination_reason"] == "stop_condition"
    assert len(server.requests) == 2


def test_no_secret_reaches_the_experiment_folder(project: Project, server: ChatServer) -> None:
    # A hostile server echoes the key it was sent, in an answer that cannot be read.
    server.fallback = lambda request: completion('{"should_continue": ' + KEY)
    project.write("agent.py", AGENT)
    result = run_experiment(project.config(setting(server)), RunOptions(use_collector=False))

    assert server.requests[0][0]["authorization"] == f"Bearer {KEY}"
    (trace,) = project.traces(result.experiment_dir)
    assert trace["termination_reason"] == "simulator_error"
    for path in result.experiment_dir.rglob("*"):
        if path.is_file():
            assert KEY not in path.read_text(encoding="utf-8", errors="replace"), path


def test_the_model_is_not_asked_for_a_message_past_max_turns(
    project: Project, server: ChatServer
) -> None:
    trace = run(project, setting(server), max_turns=2)

    assert trace["termination_reason"] == "max_turns"
    assert trace["turn_count"] == 2
    assert len(server.requests) == 1


def test_answers_are_cached_by_conversation_and_run(project: Project, server: ChatServer) -> None:
    first = run(project, setting(server))
    asked = len(server.requests)
    again = run(project, setting(server))

    assert asked == 3  # max_turns 4: three follow-ups
    assert len(server.requests) == asked  # all answered from the cache
    assert contents(again) == contents(first)
    run_experiment(project.config(setting(server)), RunOptions(use_collector=False, iterations=2))
    assert len(server.requests) == asked + 3  # run 0.1 is another conversation


@pytest.mark.parametrize(
    ("enabled", "key", "says"),
    [
        (False, "conversation.simulator.mode", "input_generation.llm.enabled is false"),
        (True, "conversation.simulator.mode", "no API key for provider 'local'"),
    ],
)
def test_no_llm_calls_or_no_key_is_a_config_error_at_the_key(
    project: Project,
    server: ChatServer,
    monkeypatch: pytest.MonkeyPatch,
    enabled: bool,
    key: str,
    says: str,
) -> None:
    monkeypatch.delenv("FLUXLOOP_LLM_API_KEY")
    project.write("agent.py", AGENT)
    loaded = project.config(setting(server, enabled=enabled))

    with pytest.raises(UserError, match=says) as raised:
        run_experiment(loaded, RunOptions(use_collector=False))

    assert raised.value.key == key
    assert raised.value.line == 18  # simulator.mode's line
    assert not (project.dir / "experiments").exists()
    assert server.requests == []
    problems = validate_project(project.dir / "setting.yaml")
    assert [(p.key, p.line) for p in problems] == [(key, 18)]


def test_the_simulator_has_its_own_endpoint(project: Project, server: ChatServer) -> None:
    with serving(continuing) as other:
        other.script = [decision(should_continue=False, termination_reason="done")]
        trace = run(project, setting(server, simulator=f"    base_url: {other.base_url}\n"))

    assert trace["termination_reason"] == "stop_condition"
    assert len(other.requests) == 1
    assert server.requests == []


def test_the_cli_shows_no_secret_when_the_simulator_fails(
    project: Project, server: ChatServer
) -> None:
    server.fallback = lambda request: completion('{"should_continue": ' + KEY)
    project.write("agent.py", AGENT)
    project.write("setting.yaml", setting(server))

    done = project.cli_env({"FLUXLOOP_LLM_API_KEY": KEY}, "run", "experiment", "--no-collector")

    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    assert KEY not in done.stdout + done.stderr
    assert "0 ok, 1 failed" in done.stdout
    (folder,) = project.experiments()
    (error,) = project.json(folder / "errors.json")
    assert error["error"]["type"] == "SimulatorError"
