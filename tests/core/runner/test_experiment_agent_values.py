"""Whatever an agent returns or raises, its run is written, counted once, and readable."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from fluxloop_core.results.reader import iter_traces
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

AGENT = """
def nested(depth):
    value = "bottom"
    for _ in range(depth):
        value = [value]
    return value

def run(text):
    kind, _, arg = text.partition(":")
    if kind == "deep":
        return nested(int(arg))
    if kind == "surrogate":
        return "x\\udcff"
    if kind == "raise":
        raise ValueError("bad \\udcff value")
    if kind == "deepraise":
        raise ValueError(nested(int(arg)))
    return text
"""

INPUTS = [
    "deep:150",
    "deep:256",
    "deep:1000",
    "deep:10000",
    "surrogate:",
    "raise:",
    "deepraise:2000",
    "plain:",
]


@pytest.mark.parametrize("worker", [False, True], ids=["in-process", "python_path"])
def test_every_run_is_on_disk_whatever_the_agent_returned(project: Project, worker: bool) -> None:
    project.write("agent.py", AGENT)
    python = f'  python_path: "{sys.executable}"\n' if worker else ""
    inputs = "".join(f'  - "{text}"\n' for text in INPUTS)
    loaded = project.config(
        f'name: values\nrunner:\n  target: "agent:run"\n{python}base_inputs:\n{inputs}'
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    runs = {r.run_id: r for r in iter_traces(result.experiment_dir)}
    lines = (result.experiment_dir / "traces.jsonl").read_bytes().count(b"\n")
    stats = result.summary.results
    assert stats.total_runs == lines == len(runs) == len(INPUTS)
    assert (stats.successful, stats.failed) == (6, 2)
    assert runs["4.0"].output == "<lone surrogates escaped: x\\udcff>"
    error = runs["5.0"].error
    assert error is not None and error.message == "<lone surrogates escaped: bad \\udcff value>"
    assert "too deep" in str(runs["3.0"].output)
    assert result.summary.interrupted is False


def test_a_worker_with_an_old_sdk_still_answers_for_every_run(project: Project) -> None:
    # The agent's interpreter may hold an SDK whose to_jsonable caps no depth.
    project.write("old_sdk/fluxloop/__init__.py", "")
    project.write(
        "old_sdk/fluxloop/serialization.py", "def to_jsonable(value):\n    return value\n"
    )
    project.write("agent.py", AGENT)
    inputs = "".join(f'  - "{text}"\n' for text in ("deep:5000", "plain:", "deep:10"))
    loaded = project.config(
        'name: old\nrunner:\n  target: "agent:run"\n'
        f'  python_path: "{sys.executable}"\n'
        f"  environment_vars:\n    PYTHONPATH: {project.dir / 'old_sdk'}\n"
        f"base_inputs:\n{inputs}"
    )

    result = run_experiment(loaded, RunOptions(use_collector=False))

    runs = {r.run_id: r for r in iter_traces(result.experiment_dir)}
    assert result.summary.results.total_runs == len(runs) == 3
    error = runs["0.0"].error
    assert error is not None and error.message.startswith("unsendable result: ")
    assert runs["1.0"].output == "plain:" and runs["2.0"].status == "success"
