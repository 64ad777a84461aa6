"""executor: ray with runner.http — Ray actors send the requests — on a real local Ray and
a real agent server, both on 127.0.0.1.

Marked ``ray``: skipped when the extra is not installed (``pip install -e ".[dev,ray]"``).
"""

from __future__ import annotations

import importlib.util
import json
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest
from agent_server import agent_serving, answer, send_json
from executor_helpers import comparable
from ray_cluster import (
    Cluster,
    wait_for_no_processes,
)

if importlib.util.find_spec("ray") is None:
    pytest.skip("the [ray] extra is not installed", allow_module_level=True)

from fluxloop_core.runner.experiment import RunOptions, run_experiment

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_environment")]

Project = Any  # the `project` fixture of tests/core/runner/conftest.py
ACTOR = "ray::SpecActor"
TOKEN = "sk-agent-0123456789abcdef"


def echo_or_400(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
    """Echoes; the input "fail" is answered HTTP 400 (not retried)."""
    if body.get("message") == "fail":
        send_json(handler, {"detail": "bad input"}, 400)
        return
    send_json(handler, {"reply": {"text": f"echo: {body.get('message')}"}})


def setting(url: str, executor: str) -> str:
    return (
        "name: web\nrunner:\n"
        f'  http: {{url: "{url}", headers: {{Authorization: "Bearer ${{AGENT_TOKEN}}"}}, '
        'body: {message: "{input}"}, response_path: reply.text}\n'
        f"  executor: {executor}\n  max_retries: 2\n  retry_delay: 0\n"
        "  ray: {num_actors: 2}\n"
        'base_inputs: ["a", "b", "fail", "d"]\niterations: 2\nparallel_runs: 4\n'
    )


def test_ray_actors_send_the_requests_with_the_same_traces_as_local(
    project: Project, tmp_path: Path, cluster: Cluster
) -> None:
    project.write(".env", f"AGENT_TOKEN={TOKEN}\n")
    traces = {}
    with agent_serving(echo_or_400) as agent:
        for executor in ("local", "ray"):
            loaded = project.config(setting(agent.url, executor), name=f"{executor}.yaml")
            options = RunOptions(use_collector=False, ray_address=cluster.address)
            result = run_experiment(loaded, options)
            traces[executor] = project.traces(result.experiment_dir)

    assert comparable(traces["ray"]) == comparable(traces["local"])
    outputs = sorted(str(t["output"]) for t in traces["ray"] if t["status"] == "success")
    assert outputs == sorted(["echo: a", "echo: b", "echo: d"] * 2)
    failed = [t for t in traces["ray"] if t["status"] == "error"]
    assert len(failed) == 2 and "HTTP 400" in failed[0]["error"]["message"]
    # 16 requests: 8 each way, the 400s not retried; the token reached the agent.
    assert len(agent.requests) == 16
    assert all(h["authorization"] == f"Bearer {TOKEN}" for h, _ in agent.requests)
    assert agent.most_in_flight <= 4
    for path in Path(result.experiment_dir).rglob("*"):
        if path.is_file():
            assert TOKEN not in path.read_text(errors="replace"), path
    assert wait_for_no_processes(ACTOR) == []


def test_retry_after_and_status_codes_survive_the_trip_through_ray(
    project: Project, cluster: Cluster
) -> None:
    with agent_serving() as agent:
        agent.script.append(answer({"busy": True}, 429, {"Retry-After": "0"}))
        text = setting(agent.url, "ray").replace('["a", "b", "fail", "d"]', '["a"]')
        text = text.replace("iterations: 2", "iterations: 1")
        project.write(".env", f"AGENT_TOKEN={TOKEN}\n")
        result = run_experiment(
            project.config(text), RunOptions(use_collector=False, ray_address=cluster.address)
        )

    (trace,) = project.traces(result.experiment_dir)
    assert trace["status"] == "success"
    assert trace["output"] == "echo: a"
    assert len(agent.requests) == 2  # the 429, then its retry
    assert trace["spans"][0]["status_code"] == 200
    assert wait_for_no_processes(ACTOR) == []


def test_replayed_calls_travel_to_the_actors_and_capture_comes_back(
    project: Project, cluster: Cluster
) -> None:
    line = {
        "_version": "1",
        "iteration": 0,
        "target": "app:handle",
        "kwargs": {"data": {"content": "old"}, "send": "<builtin:collector.send>"},
        "timestamp": "2025-09-30T00:00:00",
    }
    project.write("rec.jsonl", json.dumps(line) + "\n")
    project.write(".env", f"AGENT_TOKEN={TOKEN}\n")
    with agent_serving() as agent:
        text = setting(agent.url, "ray").replace('["a", "b", "fail", "d"]', '["new"]')
        text = text.replace(
            'body: {message: "{input}"}', 'body: {message: "{kwargs.data.content}"}'
        )
        text += (
            "replay_args: {enabled: true, recording_file: rec.jsonl, "
            "override_param_path: data.content, callable_providers: {send: capture}}\n"
        )
        result = run_experiment(
            project.config(text), RunOptions(use_collector=False, ray_address=cluster.address)
        )

    traces = project.traces(result.experiment_dir)
    assert [t["output"] for t in traces] == ["echo: new", "echo: new"]
    assert all(t["callback_calls"][0]["args"] == ["echo: new"] for t in traces)
    assert [body for _, body in agent.requests] == [{"message": "new"}] * 2
    assert wait_for_no_processes(ACTOR) == []
