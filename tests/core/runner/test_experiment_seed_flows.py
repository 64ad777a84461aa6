"""The seed README's Mode 1 and "Testing Your Setup" flows, as a user would type them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

Project = Any  # the `project` fixture of conftest.py

SEED_AGENT = """
# examples/simple_agent.py
import fluxloop

@fluxloop.agent()
def run(input_text: str) -> str:
    return f"Processed: {input_text}"
"""

MODE1_SETTING = """
# setting.yaml
name: simple_test

runner:
  target: "examples.simple_agent:run"
  working_directory: "."

base_inputs:
  - input: "Hello world"
  - input: "Test message"

iterations: 10
output_directory: "experiments"
"""

QUICK_TEST = """
name: quick_test
runner:
  target: "examples.simple_agent:run"
base_inputs:
  - input: "Hello"
iterations: 1
output_directory: /tmp/test_output
"""


def test_quick_test_as_written_with_only_the_output_path_changed(
    project: Project, tmp_path: Path
) -> None:
    project.write("examples/simple_agent.py", SEED_AGENT)
    output = tmp_path / "test_output"
    project.write("test.yaml", QUICK_TEST.replace("/tmp/test_output", str(output)))

    result = project.cli("run", "experiment", "--config", "test.yaml", "--no-collector")

    assert result.returncode == 0, result.stderr
    (summary_path,) = output.glob("quick_test_*/summary.json")
    summary = project.json(summary_path)
    assert summary["name"] == "quick_test"
    assert summary["results"] == summary["results"] | {
        "total_runs": 1,
        "successful": 1,
        "failed": 0,
        "success_rate": 1.0,
    }
    assert summary["interrupted"] is False
    (trace,) = project.traces(summary_path.parent)
    assert trace["output"] == "Processed: Hello"
    assert str(summary_path.parent) in result.stdout


def test_mode_1_runs_every_input_times_iterations(project: Project) -> None:
    project.write("examples/simple_agent.py", SEED_AGENT)
    project.write("setting.yaml", MODE1_SETTING)

    result = project.cli("run", "experiment", "--config", "setting.yaml", "--no-collector")

    assert result.returncode == 0, result.stderr
    (experiment,) = project.experiments()
    assert experiment.name.startswith("simple_test_")
    traces = project.traces(experiment)
    assert sorted(t["run_id"] for t in traces) == sorted(
        f"{i}.{n}" for i in range(2) for n in range(10)
    )
    assert {t["output"] for t in traces} == {"Processed: Hello world", "Processed: Test message"}
    summary = project.json(experiment / "summary.json")
    assert (summary["inputs_count"], summary["iterations"], summary["planned_runs"]) == (2, 10, 20)
    assert summary["results"]["total_runs"] == 20
    assert project.json(experiment / "errors.json") == []
    assert (experiment / "artifacts").is_dir()


def test_test_with_recording_flow(project: Project, tmp_path: Path) -> None:
    project.write("examples/simple_agent.py", SEED_AGENT)
    project.write("setting.yaml", MODE1_SETTING)
    recording = tmp_path / "test_recording.jsonl"
    recording.write_text(
        '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
        '"kwargs": {"data": {"content": "test"}}, "timestamp": "2025-09-30T00:00:00"}\n'
    )
    generated = project.cli(
        "generate",
        "inputs",
        "--config",
        "setting.yaml",
        "--from-recording",
        str(recording),
        "--limit",
        "3",
    )
    assert generated.returncode == 0, generated.stderr
    setting = project.dir / "setting.yaml"
    setting.write_text(setting.read_text() + 'inputs_file: "inputs/generated.yaml"\n')

    result = project.cli(
        "run", "experiment", "--config", "setting.yaml", "--iterations", "1", "--no-collector"
    )

    assert result.returncode == 0, result.stderr
    (experiment,) = project.experiments()
    traces = project.traces(experiment)
    assert len(traces) == 3
    assert all(t["status"] == "success" for t in traces)
    summary = project.json(experiment / "summary.json")
    assert summary["iterations"] == 1
    assert summary["inputs_count"] == 3


def test_json_prints_the_summary_and_exit_code_follows_the_bar(project: Project) -> None:
    project.write(
        "examples/agent.py",
        """
        def run(text):
            if text == "bad":
                raise ValueError("no good")
            return text.upper()
        """,
    )
    project.write(
        "setting.yaml",
        """
        name: bar
        runner:
          target: "examples.agent:run"
        base_inputs: ["a", "b", "c", "bad"]
        iterations: 1
        """,
    )

    failing = project.cli("run", "experiment", "--no-collector", "--json", "--quiet")
    passing = project.cli(
        "run", "experiment", "--no-collector", "--quiet", "--min-success-rate", "0.75"
    )

    assert failing.returncode == 1, failing.stderr
    summary = json.loads(failing.stdout)
    assert summary["results"]["successful"] == 3
    assert summary["results"]["failed"] == 1
    assert summary["results"]["success_rate"] == 0.75
    errors = project.json(Path(summary["experiment_dir"]) / "errors.json")
    assert [e["run_id"] for e in errors] == ["3.0"]
    assert errors[0]["error"]["type"] == "ValueError"
    assert "no good" in errors[0]["error"]["traceback"]
    assert passing.returncode == 0, passing.stderr
    assert passing.stdout == ""
