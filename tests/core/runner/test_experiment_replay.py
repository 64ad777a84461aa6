"""Replay mode: recorded kwargs, the input written at a path, callables bound to providers."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.errors import ConfigError, RecordingError, ReplayError
from fluxloop_core.runner.experiment import RunOptions, prepare_experiment, run_experiment

Project = Any  # the `project` fixture of conftest.py

TARGET = "handler:Handler.handle"


def recording_line(kwargs: dict[str, Any], iteration: int = 0, target: str = TARGET) -> str:
    return json.dumps(
        {
            "_version": "1",
            "iteration": iteration,
            "target": target,
            "kwargs": kwargs,
            "timestamp": "2025-09-30T00:00:00",
        }
    )


def recorded(connection: str) -> dict[str, Any]:
    return {
        "connection_id": connection,
        "data": {"content": "original", "meta": {"lang": "en", "tags": ["a", "b"]}},
        "user_connection": {"user": {"id": 7, "roles": ["admin"]}},
        "send_message_callback": "<builtin:collector.send>",
        "send_error_callback": "<builtin:collector.error>",
    }


SETTING = """
name: replay
runner:
  target: "handler:Handler.handle"
replay_args:
  enabled: true
  recording_file: "recordings/args.jsonl"
  callable_providers:
    send_message_callback: "builtin:collector.send"
    send_error_callback: "builtin:collector.error"
  override_param_path: "data.content"
base_inputs: ["first", "second", "third"]
iterations: 2
parallel_runs: 3
"""

ASYNC_HANDLER = """
import asyncio

class Handler:
    async def handle(self, connection_id, data, user_connection,
                     send_message_callback, send_error_callback):
        await asyncio.sleep(0)
        await send_message_callback({"text": data["content"], "tags": data["meta"]["tags"]})
        send_error_callback("not awaited", code=1)
        return {"conn": connection_id, "user": user_connection["user"]["id"]}
"""

SYNC_HANDLER = """
class Handler:
    def handle(self, connection_id, data, user_connection,
               send_message_callback, send_error_callback):
        send_message_callback({"text": data["content"], "tags": data["meta"]["tags"]})
        send_error_callback("not awaited", code=1)
        return {"conn": connection_id, "user": user_connection["user"]["id"]}
"""


def write_recording(project: Project, *lines: str) -> None:
    project.write("recordings/args.jsonl", "\n".join(lines) + "\n")


@pytest.mark.parametrize("handler", [ASYNC_HANDLER, SYNC_HANDLER], ids=["async", "sync"])
def test_replay_nested_kwargs_and_callbacks(project: Project, handler: str) -> None:
    project.write("handler.py", handler)
    write_recording(project, recording_line(recorded("c1")), recording_line(recorded("c2"), 1))
    loaded = project.config(SETTING)

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "coroutine was never awaited"
        result = run_experiment(loaded, RunOptions(use_collector=False))

    traces = {t["run_id"]: t for t in project.traces(result.experiment_dir)}
    assert len(traces) == 6
    assert result.summary.results.successful == 6
    # Input i replays calls[i % 2]: inputs 0 and 2 get line 1, input 1 gets line 2.
    assert traces["0.0"]["output"] == {"conn": "c1", "user": 7}
    assert traces["1.1"]["output"] == {"conn": "c2", "user": 7}
    assert traces["2.0"]["output"] == {"conn": "c1", "user": 7}
    assert traces["1.0"]["replay_source"]["line_number"] == 2
    send, error = traces["2.1"]["callback_calls"]
    assert send["parameter"] == "send_message_callback"
    assert send["provider"] == "builtin:collector.send"
    assert send["args"] == [{"text": "third", "tags": ["a", "b"]}]
    assert error["provider"] == "builtin:collector.error"
    assert (error["args"], error["kwargs"]) == (["not awaited"], {"code": 1})


def test_each_run_gets_its_own_copy_of_the_kwargs(project: Project) -> None:
    project.write(
        "handler.py",
        """
        class Handler:
            def handle(self, data):
                data["seen"].append(data["content"])
                return list(data["seen"])
        """,
    )
    write_recording(project, recording_line({"data": {"content": "x", "seen": []}}))
    loaded = project.config(
        """
        name: copies
        runner: {target: "handler:Handler.handle"}
        replay_args:
          enabled: true
          recording_file: recordings/args.jsonl
          override_param_path: data.content
        base_inputs: ["a", "b"]
        iterations: 3
        """
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    outputs = [t["output"] for t in project.traces(result.experiment_dir)]
    assert sorted(outputs) == [["a"]] * 3 + [["b"]] * 3


def test_override_into_list_indices(project: Project) -> None:
    project.write(
        "handler.py",
        """
        def handle(messages, options):
            return [m["text"] for m in messages]
        """,
    )
    write_recording(
        project,
        recording_line(
            {"messages": [{"text": "sys"}, {"text": "user"}], "options": {}},
            target="handler:handle",
        ),
    )
    loaded = project.config(
        """
        name: lists
        runner: {target: "handler:handle"}
        replay_args:
          enabled: true
          recording_file: recordings/args.jsonl
          override_param_path: messages.1.text
        base_inputs: ["replaced"]
        """
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    (trace,) = project.traces(result.experiment_dir)
    assert trace["output"] == ["sys", "replaced"]


def test_an_input_generated_from_a_recording_replays_its_own_line(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    write_recording(
        project,
        recording_line(recorded("c1")),
        recording_line(recorded("c2"), 1),
        recording_line(recorded("c3"), 2),
    )
    project.write(
        "inputs/generated.yaml",
        """
        inputs:
          - input: "from line 3"
            metadata:
              source: {recording_file: recordings/args.jsonl, line_number: 3, iteration: 2}
          - input: "plain"
        """,
    )
    loaded = project.config(
        SETTING.replace(
            'base_inputs: ["first", "second", "third"]', "inputs_file: inputs/generated.yaml"
        )
    )

    result = run_experiment(loaded, RunOptions(use_collector=False, iterations=1))

    traces = {t["run_id"]: t for t in project.traces(result.experiment_dir)}
    assert traces["0.0"]["output"]["conn"] == "c3"
    assert traces["0.0"]["replay_source"] == {
        "recording_file": str(project.dir / "recordings/args.jsonl"),
        "line_number": 3,
        "iteration": 2,
    }
    assert traces["1.0"]["output"]["conn"] == "c2"  # input 1 -> calls[1 % 3]
    assert result.summary.inputs_count == 2


def test_missing_provider_fails_before_any_run_with_the_seed_message(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    kwargs = recorded("c1") | {"custom_callback": "<callable:notify>"}
    write_recording(project, recording_line(kwargs))
    project.write("setting.yaml", SETTING)

    result = project.cli("run", "experiment", "--no-collector", "--quiet")

    assert result.returncode == 2
    assert "Missing callable providers for recorded parameters: custom_callback" in result.stderr
    assert 'custom_callback: "builtin:collector.send"' in result.stderr
    assert "callable_providers:" in result.stderr
    assert "Traceback" not in result.stderr
    assert project.experiments() == []


def test_missing_providers_are_listed_comma_separated(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    write_recording(project, recording_line(recorded("c1")))
    loaded = project.config(
        SETTING.replace('    send_message_callback: "builtin:collector.send"\n', "").replace(
            '    send_error_callback: "builtin:collector.error"\n', ""
        )
    )

    with pytest.raises(ReplayError) as caught:
        prepare_experiment(loaded, RunOptions())

    assert caught.value.message == (
        "Missing callable providers for recorded parameters: "
        "send_error_callback, send_message_callback"
    )
    assert caught.value.file == str(loaded.path)
    assert caught.value.line is not None


def test_a_custom_provider_function_is_called_and_recorded(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    sent = project.dir / "sent.log"
    project.write(
        "hooks.py",
        f"""
        from pathlib import Path

        def send(payload):
            with Path({str(sent)!r}).open("a") as log:
                log.write("sent\\n")
            return "delivered"
        """,
    )
    write_recording(project, recording_line(recorded("c1")))
    loaded = project.config(
        SETTING.replace('"builtin:collector.send"', '"hooks:send"').replace(
            "iterations: 2", "iterations: 1"
        )
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    assert sent.read_text().splitlines() == ["sent"] * 3
    calls = [t["callback_calls"][0] for t in project.traces(result.experiment_dir)]
    assert {c["provider"] for c in calls} == {"hooks:send"}
    assert sorted(c["args"][0]["text"] for c in calls) == ["first", "second", "third"]


@pytest.mark.parametrize("provider", ["builtin:collector.nope", "no_such_module:send", "nonsense"])
def test_a_bad_provider_is_a_config_error(project: Project, provider: str) -> None:
    project.write("handler.py", SYNC_HANDLER)
    write_recording(project, recording_line(recorded("c1")))
    loaded = project.config(SETTING.replace('"builtin:collector.send"', f'"{provider}"'))

    with pytest.raises(ConfigError) as caught:
        prepare_experiment(loaded, RunOptions())

    assert caught.value.key == "replay_args.callable_providers.send_message_callback"


def test_a_recording_without_the_target_names_the_targets_it_has(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    write_recording(project, recording_line(recorded("c1"), target="other:Thing.run"))
    loaded = project.config(SETTING)

    with pytest.raises(ReplayError) as caught:
        prepare_experiment(loaded, RunOptions())

    assert "other:Thing.run" in caught.value.message
    assert TARGET in caught.value.message


def test_an_override_path_that_does_not_fit_names_the_keys_there(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    write_recording(project, recording_line(recorded("c1")))
    loaded = project.config(SETTING.replace('"data.content"', '"data.body.text"'))

    with pytest.raises(ReplayError) as caught:
        prepare_experiment(loaded, RunOptions())

    assert "data.body.text" in caught.value.message
    assert "content, meta" in caught.value.message
    assert caught.value.key == "replay_args.override_param_path"


def test_a_missing_recording_file_uses_the_seed_message(project: Project) -> None:
    project.write("handler.py", SYNC_HANDLER)
    loaded = project.config(SETTING)

    with pytest.raises(RecordingError) as caught:
        prepare_experiment(loaded, RunOptions())

    assert caught.value.message.startswith("Recording file not found: ")
    assert str(Path("recordings/args.jsonl")) in caught.value.message
