"""runner.http with replay_args: recorded arguments become the request, against a real
agent server on 127.0.0.1."""

from __future__ import annotations

import json
from typing import Any

from agent_server import agent_serving

from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of tests/core/runner/conftest.py


def recorded(kwargs: dict[str, Any], target: str = "app:handle") -> str:
    line = {
        "_version": "1",
        "iteration": 0,
        "target": target,
        "kwargs": kwargs,
        "timestamp": "2025-09-30T00:00:00",
    }
    return json.dumps(line) + "\n"


def setting(url: str, *http: str, replay: str) -> str:
    lines = [
        "name: web",
        "runner:",
        "  http:",
        f'    url: "{url}"',
        *(f"    {line}" for line in http),
        "replay_args:",
        "  enabled: true",
        "  recording_file: rec.jsonl",
        *(f"  {line}" for line in replay.splitlines()),
        'base_inputs: ["new text"]',
    ]
    return "\n".join(lines) + "\n"


def test_recorded_arguments_are_the_body_with_the_input_written_in(project: Project) -> None:
    project.write("rec.jsonl", recorded({"data": {"content": "old", "tag": "t0"}, "n": 3}))
    with agent_serving() as agent:
        text = setting(agent.url, replay="override_param_path: data.content")
        result = run_experiment(project.config(text), RunOptions(use_collector=False))

    assert agent.requests[0][1] == {"data": {"content": "new text", "tag": "t0"}, "n": 3}
    (trace,) = project.traces(result.experiment_dir)
    assert trace["status"] == "success"
    assert trace["replay_source"]["line_number"] == 1


def test_a_body_template_is_filled_from_the_recorded_arguments(project: Project) -> None:
    project.write("rec.jsonl", recorded({"data": {"content": "old", "tag": "t0"}, "n": 3}))
    with agent_serving() as agent:
        text = setting(
            agent.url,
            'body: {message: "{kwargs.data.content}", all: "{kwargs}", note: "n={kwargs.n}"}',
            replay="override_param_path: data.content",
        )
        run_experiment(project.config(text), RunOptions(use_collector=False))

    assert agent.requests[0][1] == {
        "message": "new text",
        "all": {"data": {"content": "new text", "tag": "t0"}, "n": 3},
        "note": "n=3",
    }


def test_callables_mapped_to_capture_stay_out_and_record_the_answer(project: Project) -> None:
    kwargs = {"data": {"content": "old"}, "send": "<builtin:collector.send>"}
    project.write("rec.jsonl", recorded(kwargs))
    with agent_serving() as agent:
        text = setting(
            agent.url,
            'body: {message: "{kwargs.data.content}"}',
            'response_path: "reply.text"',
            replay="override_param_path: data.content\ncallable_providers: {send: capture}",
        )
        result = run_experiment(project.config(text), RunOptions(use_collector=False))

    assert agent.requests[0][1] == {"message": "new text"}
    (trace,) = project.traces(result.experiment_dir)
    (call,) = trace["callback_calls"]
    assert call["parameter"] == "send" and call["provider"] == "capture"
    assert call["args"] == ["echo: new text"]


def test_an_unmapped_callable_is_a_config_error_saying_capture(project: Project) -> None:
    project.write("rec.jsonl", recorded({"data": {"content": ""}, "send": "<callable:send>"}))
    project.write("setting.yaml", setting("http://127.0.0.1:9/x", replay=""))

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    assert "replay_args.callable_providers" in done.stderr
    assert 'send: "capture"' in done.stderr
    assert not (project.dir / "experiments").exists()


def test_a_python_provider_is_refused_for_an_http_target(project: Project) -> None:
    project.write("rec.jsonl", recorded({"data": {"content": ""}, "send": "<callable:send>"}))
    text = setting(
        "http://127.0.0.1:9/x", replay='callable_providers: {send: "builtin:collector.send"}'
    )
    project.write("setting.yaml", text)

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    assert "replay_args.callable_providers.send" in done.stderr
    assert "cannot be called by an agent behind runner.http" in done.stderr
    assert "map it to capture" in done.stderr


def test_capture_is_refused_for_a_python_target(project: Project) -> None:
    project.write("agent.py", "def handle(data, send):\n    return data\n")
    project.write("rec.jsonl", recorded({"data": {}, "send": "<callable:send>"}, "agent:handle"))
    lines = [
        "name: py",
        "runner:",
        '  target: "agent:handle"',
        "replay_args: {enabled: true, recording_file: rec.jsonl, "
        "callable_providers: {send: capture}}",
        'base_inputs: ["a"]',
    ]
    project.write("setting.yaml", "\n".join(lines) + "\n")

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    assert "capture is for targets that are not imported" in done.stderr


def test_a_recording_of_two_functions_is_refused_naming_both(project: Project) -> None:
    project.write("rec.jsonl", recorded({"a": 1}, "app:one") + recorded({"a": 2}, "app:two"))
    project.write("setting.yaml", setting("http://127.0.0.1:9/x", replay=""))

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    assert "replay_args.recording_file" in done.stderr
    assert "app:one, app:two" in done.stderr


def test_kwargs_in_the_body_without_replay_is_a_config_error(project: Project) -> None:
    lines = [
        "name: web",
        "runner:",
        '  http: {url: "http://127.0.0.1:9/x", body: {m: "{kwargs.data}"}}',
        'base_inputs: ["a"]',
    ]
    project.write("setting.yaml", "\n".join(lines) + "\n")

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    assert "replay_args.enabled is false" in done.stderr


def test_a_missing_recorded_argument_fails_the_run_without_retry(project: Project) -> None:
    project.write("rec.jsonl", recorded({"data": {"content": "old"}}))
    with agent_serving() as agent:
        text = setting(agent.url, 'body: {m: "{kwargs.nope}"}', replay="")
        text = text.replace("runner:\n", "runner:\n  max_retries: 2\n")
        result = run_experiment(project.config(text), RunOptions(use_collector=False))

    assert agent.requests == []
    (trace,) = project.traces(result.experiment_dir)
    assert trace["status"] == "error"
    assert "{kwargs.nope}" in trace["error"]["message"]
    assert "line 1" in trace["error"]["message"]


def test_replay_over_http_through_the_cli(project: Project) -> None:
    project.write("rec.jsonl", recorded({"data": {"content": "old"}}))
    with agent_serving() as agent:
        project.write(
            "setting.yaml", setting(agent.url, replay="override_param_path: data.content")
        )
        done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_OK, done.stderr
    assert agent.requests[0][1] == {"data": {"content": "new text"}}
