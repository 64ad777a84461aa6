"""runner.http through the CLI: run experiment, dry run, status check, config errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from agent_server import agent_serving, answer

from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE

Project = Any  # the `project` fixture of conftest.py

SECRET = "sk-agent-0123456789abcdef"


def write_setting(project: Project, url: str, *http: str, extra: str = "") -> None:
    lines = ["name: web", "runner:", "  http:", f'    url: "{url}"', *(f"    {h}" for h in http)]
    project.write("setting.yaml", "\n".join(lines) + "\n" + extra + 'base_inputs: ["a", "b"]\n')


def test_run_experiment_writes_http_outputs_and_no_credentials(project: Project) -> None:
    # TENANT is no secret by its name: header values are hidden from the summary anyway.
    project.write(".env", f"AGENT_TOKEN={SECRET}\nTENANT=tenant-4711\n")
    with agent_serving() as agent:
        write_setting(
            project,
            agent.url,
            'headers: {Authorization: "Bearer ${AGENT_TOKEN}", X-Tenant: "${TENANT}"}',
            'body: {message: "{input}"}',
            'response_path: "reply.text"',
        )
        done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_OK, done.stderr
    (folder,) = (project.dir / "experiments").iterdir()
    traces = project.traces(folder)
    assert sorted(t["output"] for t in traces) == ["echo: a", "echo: b"]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["results"]["successful"] == 2
    assert summary["target"] == f"POST {agent.url}"
    assert summary["config"]["runner"]["http"]["headers"] == {
        "Authorization": "****",
        "X-Tenant": "****",
    }
    assert all(h["authorization"] == f"Bearer {SECRET}" for h, _ in agent.requests)
    assert all(h["x-tenant"] == "tenant-4711" for h, _ in agent.requests)
    assert "tenant-4711" not in (folder / "summary.json").read_text()
    for path in folder.rglob("*"):
        if path.is_file():
            assert SECRET not in path.read_text(errors="replace"), path
    assert SECRET not in done.stdout + done.stderr


def test_dry_run_and_status_check_import_nothing(project: Project) -> None:
    with agent_serving(answer({}, 405)) as agent:
        write_setting(project, agent.url)
        dry = project.cli("run", "experiment", "--dry-run")
        status = project.cli("status", "check")
        valid = project.cli("config", "validate")

    assert dry.returncode == EXIT_OK, dry.stderr
    assert f"POST {agent.url} (an HTTP endpoint, not contacted;" in dry.stdout
    assert status.returncode == EXIT_OK, status.stdout + status.stderr
    assert f"target           POST {agent.url} reachable" in status.stdout
    assert valid.returncode == EXIT_OK, valid.stdout + valid.stderr
    assert agent.requests == []  # the status check only connects


def test_status_check_warns_when_the_endpoint_refuses(project: Project) -> None:
    with agent_serving() as agent:
        url = agent.url
    write_setting(project, url)  # the server is gone: its port refuses

    status = project.cli("status", "check")

    assert status.returncode == EXIT_OK
    line = next(line for line in status.stdout.splitlines() if " target " in line)
    assert line.startswith("warn") and "cannot connect to 127.0.0.1:" in line


@pytest.mark.parametrize(
    ("runner", "key", "words"),
    [
        (
            '  target: "agent:run"\n  http: {url: "http://127.0.0.1:9/x"}\n',
            "runner",
            "give one of target (a Python function), http (an endpoint) or command (a program), "
            "not target and http",
        ),
        ("  {}\n", "runner", 'or http: {url: "http://..."}'),
        ('  http: {url: "file:///etc/passwd"}\n', "runner.http.url", "http:// or https://"),
        (
            '  http: {url: "http://127.0.0.1:9/x", response_path: "a..b"}\n',
            "runner.http.response_path",
            "is not a dot path",
        ),
        (
            '  http: {url: "http://127.0.0.1:9/x", method: GET}\n',
            "runner.http.method",
            "POST",
        ),
        (
            '  http: {url: "http://127.0.0.1:9/x", stream: chunks}\n',
            "runner.http.stream",
            "sse",
        ),
        (
            '  http: {url: "http://127.0.0.1:9/x"}\n  executor: processes\n',
            "runner.executor",
            "executor processes is not used with runner.http: requests wait on the network",
        ),
        (
            '  http: {url: "http://127.0.0.1:9/x"}\n  python_path: /usr/bin/python3\n',
            "runner",
            "python_path is for Python targets",
        ),
    ],
    ids=[
        "both",
        "neither",
        "url",
        "path",
        "method",
        "stream",
        "executor",
        "python_path",
    ],
)
def test_config_mistakes_exit_2_naming_the_key(
    project: Project, runner: str, key: str, words: str
) -> None:
    project.write("setting.yaml", f'name: web\nrunner:\n{runner}base_inputs: ["a"]\n')

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    assert words in done.stderr
    if key:
        assert f": {key}: " in done.stderr
    assert not (project.dir / "experiments").exists()


def test_executor_flag_processes_is_refused_for_an_http_target(project: Project) -> None:
    write_setting(project, "http://127.0.0.1:9/x")

    done = project.cli("run", "experiment", "--executor", "processes", "--no-collector")

    assert done.returncode == EXIT_USAGE
    assert "executor processes is not used with runner.http" in done.stderr
    assert "executor ray to send them from a cluster's nodes" in done.stderr
