"""`run single` with the config's HTTP target, and the request `--dry-run` shows, against a
real agent server on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

from agent_server import agent_serving, answer, http_setting

from fluxloop_core.exit_codes import EXIT_FAILED_BAR, EXIT_OK

Project = Any  # the `project` fixture of tests/core/runner/conftest.py

SECRET = "sk-agent-0123456789abcdef"


def write_setting(project: Project, url: str, *http: str) -> None:
    project.write("setting.yaml", http_setting(url, *http))


def test_run_single_with_only_an_input_sends_it_to_the_configs_endpoint(project: Project) -> None:
    project.write(".env", f"AGENT_TOKEN={SECRET}\n")
    with agent_serving() as agent:
        write_setting(
            project,
            agent.url,
            'headers: {Authorization: "Bearer ${AGENT_TOKEN}"}',
            'body: {message: "{input}"}',
            'response_path: "reply.text"',
        )
        plain = project.cli("run", "single", "hello there")
        as_json = project.cli("run", "single", "again", "--json")

    assert plain.returncode == EXIT_OK, plain.stderr
    assert plain.stdout.splitlines()[0] == "echo: hello there"
    assert as_json.returncode == EXIT_OK, as_json.stderr
    assert json.loads(as_json.stdout)["output"] == "echo: again"
    assert [body for _, body in agent.requests] == [
        {"message": "hello there"},
        {"message": "again"},
    ]
    assert agent.requests[0][0]["authorization"] == f"Bearer {SECRET}"
    assert SECRET not in plain.stdout + plain.stderr + as_json.stdout


def test_run_single_reports_an_agent_failure_with_exit_1(project: Project) -> None:
    with agent_serving(answer({"detail": "nope"}, 400)) as agent:
        write_setting(project, agent.url)
        done = project.cli("run", "single", "hi")

    assert done.returncode == EXIT_FAILED_BAR
    assert "error: HTTPStatusError: the agent answered HTTP 400" in done.stderr


def test_run_single_with_a_target_and_an_input_still_imports_the_target(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text.upper()\n")

    done = project.cli("run", "single", "agent:run", "hi")

    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.splitlines()[0] == "HI"


def test_dry_run_shows_the_first_request_redacted_and_sends_nothing(project: Project) -> None:
    project.write(".env", f"AGENT_TOKEN={SECRET}\n")
    with agent_serving() as agent:
        write_setting(
            project,
            f"{agent.url}?key={SECRET}",
            'headers: {Authorization: "Bearer ${AGENT_TOKEN}", X-Tenant: acme}',
            'body: {message: "{input}", token: "${AGENT_TOKEN}"}',
        )
        dry = project.cli("run", "experiment", "--dry-run")
        as_json = project.cli("run", "experiment", "--dry-run", "--json")

    assert dry.returncode == EXIT_OK, dry.stderr
    assert agent.requests == []
    assert f"  request     POST {agent.url}?key=" in dry.stdout
    assert "              Authorization: ****" in dry.stdout
    assert "              X-Tenant: ****" in dry.stdout
    assert '"message": "a"' in dry.stdout
    assert SECRET not in dry.stdout + dry.stderr + as_json.stdout
    request = json.loads(as_json.stdout)["request"]
    assert request["body"]["message"] == "a"
    assert request["headers"] == {"Authorization": "****", "X-Tenant": "****"}


def test_dry_run_says_when_the_first_request_cannot_be_made(project: Project) -> None:
    write_setting(project, "http://127.0.0.1:9/x", 'body: {s: "{metadata.session}"}')

    dry = project.cli("run", "experiment", "--dry-run")

    assert dry.returncode == EXIT_OK, dry.stderr
    assert "cannot be made: runner.http.body uses {metadata.session}" in dry.stdout
