"""One experiment that exercises everything a trace records, and its traces without times:
run under two executors, the same experiment must leave the same traces."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.runner.events import RunFinished, RunnerEvent
from fluxloop_core.runner.experiment import (
    CancelToken,
    ExperimentResult,
    RunOptions,
    run_experiment,
)

AGENT = """
import asyncio
import os
from pathlib import Path

async def handle(data, send, lookup):
    text = data["content"]
    await send({"got": text})
    if text == "slow":
        await asyncio.sleep(30)
    if text == "boom":
        raise ValueError("boom: " + text)
    if text == "flaky":
        # Fails its first attempt only: max_retries runs it again.
        mark = Path(os.environ["STATE"]) / "flaky"
        if not mark.exists():
            mark.touch()
            raise RuntimeError("first attempt fails")
    return {"text": text.upper(), "looked_up": lookup(text), "tag": data["tag"], "n": [1, 2.5]}
"""

HELPERS = """
def lookup(key):
    return "value of " + key
"""

RECORDING = [
    {
        "_version": "1",
        "iteration": 0,
        "target": "agent:handle",
        "kwargs": {
            "data": {"content": "", "tag": "t0"},
            "send": "<builtin:collector.send>",
            "lookup": "<callable:lookup>",
        },
        "timestamp": "2025-09-30T00:00:00",
    }
]


def setting(state: Path, executor: str) -> str:
    """The experiment's setting.yaml, its retry marks kept in ``state``."""
    return f"""
name: same
runner:
  target: "agent:handle"
  executor: {executor}
  timeout_seconds: 1
  max_retries: 1
  retry_delay: 0
  environment_vars: {{STATE: "{state}"}}
replay_args:
  enabled: true
  recording_file: recordings/args.jsonl
  callable_providers:
    send: "builtin:collector.send"
    lookup: "helpers:lookup"
  override_param_path: data.content
base_inputs: ["a", "boom", "slow", "flaky", "b", "a"]
iterations: 1
parallel_runs: 2
"""


def write_project(project: Any) -> None:
    """The agent, its helper provider and the recording, in ``project``."""
    project.write("agent.py", AGENT)
    project.write("helpers.py", HELPERS)
    lines = "".join(json.dumps(line) + "\n" for line in RECORDING)
    project.write("recordings/args.jsonl", lines)


def traces_under(
    project: Any, tmp_path: Path, executor: str, options: RunOptions
) -> dict[str, list[dict[str, Any]]]:
    """The experiment's traces, comparable, run under ``local`` and under ``executor``."""
    write_project(project)
    traces = {}
    for name in ("local", executor):
        state = tmp_path / name
        state.mkdir()
        loaded = project.config(setting(state, name), name=f"{name}.yaml")
        result = run_experiment(loaded, options)
        traces[name] = comparable(project.traces(result.experiment_dir))
    return traces


def without_times(trace: dict[str, Any]) -> dict[str, Any]:
    """A trace line without what depends on the clock (times, durations)."""
    kept = {k: v for k, v in trace.items() if k not in ("started_at", "duration_ms", "spans")}
    kept["callback_calls"] = [
        {k: v for k, v in call.items() if k != "timestamp"} for call in trace["callback_calls"]
    ]
    return kept


def comparable(traces: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Traces in run-id order, without times."""
    return [without_times(t) for t in sorted(traces, key=lambda t: t["run_id"])]


DYING_AGENT = """
import os
import signal
from pathlib import Path

def run(text):
    mark = Path(os.environ["STATE"]) / text
    if text == "dies" or (text == "dies once" and not mark.exists()):
        mark.touch()
        os.kill(os.getpid(), signal.SIGKILL)
    return text
"""
"""An agent whose process dies (SIGKILL) on "dies", and on "dies once" the first time
(its mark kept in the folder $STATE)."""


def stopped_after_a_run(loaded: LoadedConfig, options: RunOptions) -> ExperimentResult:
    """The experiment, stopped gracefully (a first Ctrl-C) when its first run finishes."""
    token = CancelToken()

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, RunFinished):
            token.cancel()

    result = run_experiment(loaded, options, on_event=on_event, cancel=token)
    assert result.summary.interrupted is True
    assert 1 <= result.summary.results.total_runs < result.summary.planned_runs
    return result


def wait_for_lines(project: Any, minimum: int, process: subprocess.Popen[str]) -> Path:
    """The experiment folder of ``project`` once its traces.jsonl holds ``minimum`` lines
    (``process``, the CLI running it, must still be alive)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        for experiment in project.experiments():
            traces = experiment / "traces.jsonl"
            if traces.exists() and traces.read_bytes().count(b"\n") >= minimum:
                return experiment
        time.sleep(0.05)
    raise AssertionError("no trace lines appeared")
