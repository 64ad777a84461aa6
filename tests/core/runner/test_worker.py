"""runner.python_path: runs in worker processes of another interpreter (here: this one)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.errors import TargetError
from fluxloop_core.runner.experiment import RunOptions, prepare_experiment, run_experiment

Project = Any  # the `project` fixture of conftest.py


def setting(target: str, *extra: str) -> str:
    return "\n".join(
        [
            "name: worker",
            "runner:",
            f'  target: "{target}"',
            f'  python_path: "{sys.executable}"',
            *extra,
        ]
    )


def test_runs_in_worker_processes(project: Project) -> None:
    project.write(
        "agent.py",
        """
        import os

        class Agent:
            def answer(self, text):
                print("agent chatter on stdout")  # must not break the protocol
                return {"text": text.upper(), "pid": os.getpid(), "mode": os.environ["MODE"]}
        """,
    )
    loaded = project.config(
        setting("agent:Agent.answer", "  environment_vars: {MODE: w}")
        + '\nbase_inputs: ["a", "b", "c"]\niterations: 2\nparallel_runs: 2\n'
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    traces = project.traces(result.experiment_dir)
    assert result.summary.results.successful == 6
    assert sorted(t["output"]["text"] for t in traces) == ["A", "A", "B", "B", "C", "C"]
    pids = {t["output"]["pid"] for t in traces}
    assert 1 <= len(pids) <= 2
    assert {t["output"]["mode"] for t in traces} == {"w"}


def test_replay_with_callbacks_in_a_worker(project: Project) -> None:
    project.write(
        "handler.py",
        """
        async def handle(data, send_message_callback):
            await send_message_callback({"echo": data["content"]})
            send_message_callback("again")
            return data["content"]
        """,
    )
    line = {
        "_version": "1",
        "iteration": 0,
        "target": "handler:handle",
        "kwargs": {"data": {"content": "x"}, "send_message_callback": "<builtin:collector.send>"},
        "timestamp": "2025-09-30T00:00:00",
    }
    project.write("recordings/args.jsonl", json.dumps(line) + "\n")
    loaded = project.config(
        setting("handler:handle")
        + """
replay_args:
  enabled: true
  recording_file: recordings/args.jsonl
  callable_providers:
    send_message_callback: "builtin:collector.send"
  override_param_path: data.content
base_inputs: ["hello"]
"""
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    (trace,) = project.traces(result.experiment_dir)
    assert trace["output"] == "hello"
    calls = trace["callback_calls"]
    assert [c["args"] for c in calls] == [[{"echo": "hello"}], ["again"]]
    assert trace["replay_source"]["line_number"] == 1


def test_a_worker_past_its_timeout_is_replaced(project: Project) -> None:
    project.write(
        "agent.py",
        """
        import time

        def run(text):
            if text == "slow":
                time.sleep(30)
            if text == "fail":
                raise ValueError("bad input")
            return text
        """,
    )
    loaded = project.config(
        setting("agent:run", "  timeout_seconds: 1")
        + '\nbase_inputs: ["slow", "ok", "fail"]\niterations: 2\n'
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    statuses = sorted((t["input"], t["status"]) for t in project.traces(result.experiment_dir))
    assert statuses == [
        ("fail", "error"),
        ("fail", "error"),
        ("ok", "success"),
        ("ok", "success"),
        ("slow", "timeout"),
        ("slow", "timeout"),
    ]
    errors = project.json(result.experiment_dir / "errors.json")
    assert {e["error"]["type"] for e in errors} == {"TimeoutError", "ValueError"}


def test_an_unimportable_target_is_a_target_error(project: Project) -> None:
    loaded = project.config(setting("examples.simple_agent:run") + '\nbase_inputs: ["a"]\n')

    with pytest.raises(TargetError) as caught:
        prepare_experiment(loaded, RunOptions())

    assert "No module named 'examples'" in caught.value.message
    assert "Set working_directory" in (caught.value.hint or "")


def test_a_worker_that_cannot_start_fails_the_runs_instead_of_hanging(
    project: Project, tmp_path: Path
) -> None:
    broken = tmp_path / "broken-python"
    # Passes the start-up target check, then dies whenever it is started as a worker.
    broken.write_text(
        f'#!/bin/sh\ncase "$1" in *worker.py) exit 3;; esac\nexec {sys.executable} "$@"\n'
    )
    broken.chmod(0o755)
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config(
        "\n".join(
            ["name: worker", "runner:", '  target: "agent:run"', f'  python_path: "{broken}"']
        )
        + '\nbase_inputs: ["a", "b", "c"]\nparallel_runs: 2\n'
    )
    result = run_experiment(loaded, RunOptions(use_collector=False))
    assert result.summary.results.failed == 3
    errors = json.loads((result.experiment_dir / "errors.json").read_text())
    assert "could not load the target" in errors[0]["error"]["message"]
