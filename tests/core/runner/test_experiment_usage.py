"""Tokens, LLM calls, tool calls and cost of each run, and their totals in summary.json."""

from __future__ import annotations

import sys
from typing import Any

import pytest

from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

AGENT = """
import fluxloop

@fluxloop.tool()
def search(query):
    return ["result"]

@fluxloop.prompt(model="gpt-4o-mini")
def ask(question):
    return {"text": "answer", "usage": {"prompt_tokens": 1000, "completion_tokens": 200}}

@fluxloop.agent()
def run(input_text):
    search(input_text)
    answer = ask(input_text)["text"]
    if input_text == "local":
        fluxloop.record_usage(model="llama-local", input_tokens=50, output_tokens=5)
    search(answer)
    return answer
"""

PRICING = """
pricing:
  gpt-4o-mini: {input_per_million: 0.15, output_per_million: 0.60}
"""


@pytest.mark.parametrize("interpreter", ["this process", "python_path workers"])
def test_each_run_and_the_summary_count_tokens_calls_and_cost(
    project: Project, interpreter: str
) -> None:
    project.write("agent.py", AGENT)
    python = f'  python_path: "{sys.executable}"\n' if interpreter != "this process" else ""
    loaded = project.config(
        'name: usage\nrunner:\n  target: "agent:run"\n'
        + python
        + 'base_inputs: ["hello", "local"]\niterations: 2\n'
        + PRICING
    )
    result = run_experiment(loaded, RunOptions(use_collector=False))
    traces = {t["run_id"]: t for t in project.traces(result.experiment_dir)}
    hello = traces["0.0"]
    assert hello["usage"] == {
        "input_tokens": 1000,
        "output_tokens": 200,
        "llm_calls": 1,
        "models": {"gpt-4o-mini": {"input_tokens": 1000, "output_tokens": 200}},
        "tool_calls": {"search": 2},
    }
    # 1000 × 0.15 / 1e6 + 200 × 0.60 / 1e6 = 0.00015 + 0.00012
    assert hello["cost_usd"] == pytest.approx(0.00027)
    local = traces["1.0"]
    assert local["usage"]["llm_calls"] == 2
    assert local["usage"]["models"]["llama-local"] == {"input_tokens": 50, "output_tokens": 5}
    assert local["cost_usd"] is None  # llama-local has no price: unknown, not 0
    stats = project.json(result.experiment_dir / "summary.json")["results"]
    assert (stats["input_tokens"], stats["output_tokens"]) == (4 * 1000 + 2 * 50, 4 * 200 + 2 * 5)
    assert stats["llm_calls"] == 6
    assert stats["cost_usd"] == pytest.approx(2 * 0.00027)
    assert stats["unpriced_runs"] == 2


def test_runs_without_llm_calls_have_no_usage(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config('name: plain\nrunner:\n  target: "agent:run"\nbase_inputs: ["a"]\n')
    result = run_experiment(loaded, RunOptions(use_collector=False))
    (trace,) = project.traces(result.experiment_dir)
    assert trace["usage"] is None and trace["cost_usd"] is None
    stats = project.json(result.experiment_dir / "summary.json")["results"]
    assert (stats["llm_calls"], stats["cost_usd"], stats["unpriced_runs"]) == (0, None, 0)


COSTLY_AGENT = """
import fluxloop

@fluxloop.agent()
def run(input_text):
    # $0.001 a run at the price below: 1000 input tokens × $1 per million.
    fluxloop.record_usage(model="m", input_tokens=1000, output_tokens=0)
    return input_text
"""


def _costly(
    project: Project,
    pricing: str = "pricing: {m: {input_per_million: 1.0, output_per_million: 1.0}}\n",
) -> None:
    project.write("agent.py", COSTLY_AGENT)
    project.write(
        "setting.yaml",
        'name: costly\nrunner:\n  target: "agent:run"\n'
        'base_inputs: ["a", "b"]\niterations: 10\nparallel_runs: 1\n' + pricing,
    )


def test_max_cost_stops_new_runs_and_exits_1_with_the_reason(project: Project) -> None:
    _costly(project)
    result = project.cli("run", "experiment", "--no-collector", "--max-cost", "0.005")
    assert result.returncode == 1, result.stderr
    assert "cost cap reached: the runs so far cost $0.0050 of $0.005" in result.stderr
    (folder,) = project.experiments()
    summary = project.json(folder / "summary.json")
    assert summary["interrupted"] is True
    assert summary["stop_reason"].startswith("cost cap reached")
    # One run at a time: the fifth run reaches the budget and nothing starts after it.
    assert summary["results"]["total_runs"] == 5
    assert len(project.traces(folder)) == 5
    # The rest can still be finished (without the cap).
    resumed = project.cli("run", "experiment", "--no-collector", "--resume", str(folder))
    assert resumed.returncode == 0, resumed.stderr
    assert len(project.traces(folder)) == 20


def test_a_budget_not_reached_changes_nothing(project: Project) -> None:
    _costly(project)
    result = project.cli("run", "experiment", "--no-collector", "--max-cost", "1")
    assert result.returncode == 0, result.stderr
    (folder,) = project.experiments()
    assert project.json(folder / "summary.json")["stop_reason"] is None


@pytest.mark.parametrize("value", ["0", "-1", "nan", "inf", "cheap"])
def test_max_cost_must_be_an_amount(project: Project, value: str) -> None:
    _costly(project)
    result = project.cli("run", "experiment", "--max-cost", value)
    assert result.returncode == 2 and "--max-cost" in result.stderr


def test_max_cost_without_prices_is_a_usage_error(project: Project) -> None:
    _costly(project, pricing="")
    result = project.cli("run", "experiment", "--no-collector", "--max-cost", "1")
    assert result.returncode == 2
    assert "a cost cap needs prices" in result.stderr and "pricing:" in result.stderr
    assert project.experiments() == []


def test_status_shows_tokens_and_cost(project: Project) -> None:
    _costly(project)
    assert project.cli("run", "experiment", "--no-collector", "--quiet").returncode == 0
    experiments = project.cli("status", "experiments").stdout
    header, row = experiments.splitlines()[:2]
    assert "COST" in header and "$0.0200" in row  # 20 runs × $0.001
    traces = project.cli("status", "traces", "--limit", "1").stdout
    assert "TOKENS" in traces and "1.0k" in traces and "$0.0010" in traces
