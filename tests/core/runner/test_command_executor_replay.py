"""runner.command with replay_args: the recorded call's arguments travel in the request
line's ``kwargs`` (the new input at override_param_path), against the Python and the
JavaScript agents of tests/command_agents, both protocols."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from replay_helpers import write_recording

from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE
from fluxloop_core.runner.experiment import RunOptions, run_experiment

AGENTS = Path(__file__).resolve().parents[2] / "command_agents"
PYTHON_AGENT = [sys.executable, str(AGENTS / "agent.py")]
JS_AGENT = ["node", str(AGENTS / "agent.js")]
needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")

Project = Any  # the `project` fixture of tests/core/runner/conftest.py

AGENT_PROTOCOLS = [
    pytest.param(PYTHON_AGENT, "jsonl", id="python-jsonl"),
    pytest.param(PYTHON_AGENT, "per_run", id="python-per_run"),
    pytest.param(JS_AGENT, "jsonl", id="js-jsonl", marks=needs_node),
    pytest.param(JS_AGENT, "per_run", id="js-per_run", marks=needs_node),
]


def record(project: Project, *calls: tuple[str, dict[str, Any]]) -> None:
    """rec.jsonl holding ``calls``, each ``(target, kwargs)``."""
    path = project.dir / "rec.jsonl"
    lines = [write_recording(path, target, [kwargs]).read_text() for target, kwargs in calls]
    path.write_text("".join(lines))


def one_call(project: Project, kwargs: dict[str, Any]) -> None:
    record(project, ("app:handle", kwargs))


def setting(argv: list[str], protocol: str = "jsonl", *, replay: str = "") -> str:
    if protocol == "per_run":
        argv = [*argv, "--per-run"]
    lines = [
        "name: cmd",
        "runner:",
        f"  command: {json.dumps(argv)}",
        f"  protocol: {protocol}",
        "replay_args:",
        "  enabled: true",
        "  recording_file: rec.jsonl",
        *(f"  {line}" for line in replay.splitlines()),
        'base_inputs: ["new text"]',
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(("argv", "protocol"), AGENT_PROTOCOLS)
def test_recorded_kwargs_travel_with_the_input_written_in(
    project: Project, argv: list[str], protocol: str
) -> None:
    one_call(project, {"data": {"content": "old", "tag": "t0"}, "n": 3})
    text = setting(argv, protocol, replay="override_param_path: data.content")

    result = run_experiment(project.config(text), RunOptions(use_collector=False))

    (trace,) = project.traces(result.experiment_dir)
    assert trace["status"] == "success", trace["error"]
    kwargs = '{"data":{"content":"new text","tag":"t0"},"n":3}'
    assert trace["output"] == f"echo: new text {kwargs}"
    assert trace["replay_source"]["line_number"] == 1


@pytest.mark.parametrize(("argv", "protocol"), AGENT_PROTOCOLS)
def test_callables_mapped_to_capture_stay_out_and_record_the_answer(
    project: Project, argv: list[str], protocol: str
) -> None:
    one_call(project, {"data": {"content": "old"}, "send": "<callable:send>"})
    replay = "override_param_path: data.content\ncallable_providers: {send: capture}"

    result = run_experiment(
        project.config(setting(argv, protocol, replay=replay)), RunOptions(use_collector=False)
    )

    (trace,) = project.traces(result.experiment_dir)
    assert trace["output"] == 'echo: new text {"data":{"content":"new text"}}'
    (call,) = trace["callback_calls"]
    assert call["parameter"] == "send" and call["provider"] == "capture"
    assert call["args"] == [trace["output"]]


def test_a_replayed_conversation_writes_each_turn_into_the_recorded_kwargs(
    project: Project,
) -> None:
    one_call(project, {"data": {"content": "old"}})
    text = setting(PYTHON_AGENT, replay="override_param_path: data.content") + (
        "conversation: {enabled: true, max_turns: 2}\n"
        'personas: [{name: brief, follow_ups: [["ok"]]}]\n'
    )  # no history_param: the request line carries the history

    result = run_experiment(project.config(text), RunOptions(use_collector=False))

    (trace,) = project.traces(result.experiment_dir)
    assert [t["content"] for t in trace["turns"]] == [
        "new text",
        'echo: new text [1 messages] {"data":{"content":"new text"}}',
        "ok",
        'echo: ok [3 messages] {"data":{"content":"ok"}}',
    ]


SEND = ("app:handle", {"data": {"content": ""}, "send": "<callable:send>"})


@pytest.mark.parametrize(
    ("calls", "replay", "words"),
    [
        pytest.param(
            [SEND],
            "",
            ["replay_args.callable_providers", 'send: "capture"'],
            id="unmapped-callable",
        ),
        pytest.param(
            [SEND],
            'callable_providers: {send: "builtin:collector.send"}',
            [
                "replay_args.callable_providers.send",
                "cannot be called by an agent behind runner.command",
                "map it to capture",
            ],
            id="python-provider",
        ),
        pytest.param(
            [("app:one", {"a": 1}), ("app:two", {"a": 2})],
            "",
            ["replay_args.recording_file", "app:one, app:two", "runner.command target replays"],
            id="two-functions",
        ),
        pytest.param(
            [("app:handle", {"data": {"content": "old"}})],
            "override_param_path: nope.x",
            ["replay_args.override_param_path", "line 1"],
            id="override-path-missing",
        ),
    ],
)
def test_what_replay_cannot_send_to_a_program_is_refused_by_name(
    project: Project,
    calls: list[tuple[str, dict[str, Any]]],
    replay: str,
    words: list[str],
) -> None:
    record(project, *calls)
    project.write("setting.yaml", setting(PYTHON_AGENT, replay=replay))

    done = project.cli("run", "experiment", "--no-collector")

    assert done.returncode == EXIT_USAGE, done.stderr
    for word in words:
        assert word in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert not (project.dir / "experiments").exists()


def test_replay_with_a_command_target_through_the_cli(project: Project) -> None:
    one_call(project, {"data": {"content": "old"}})
    project.write("setting.yaml", setting(PYTHON_AGENT, replay="override_param_path: data.content"))

    done = project.cli("run", "experiment", "--no-collector", "--json")

    assert done.returncode == EXIT_OK, done.stderr
    (trace,) = project.traces(Path(json.loads(done.stdout)["experiment_dir"]))
    assert trace["output"] == 'echo: new text {"data":{"content":"new text"}}'
