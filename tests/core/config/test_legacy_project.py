"""A fluxloop-cli 0.2.x project (configs/*.yaml) is found, merged, located and run."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from legacy_helpers import run_cli

from fluxloop_core.config.legacy import read_legacy_project
from fluxloop_core.config.project import find_project, open_config
from fluxloop_core.errors import ConfigError
from fluxloop_core.preflight import validate_project
from fluxloop_core.workspace import list_projects


@pytest.mark.parametrize(
    ("project", "where"),
    [
        ("demo-agent", "."),  # a name, from the workspace root
        ("demo-agent", "fluxloop/demo-agent"),  # the current project's own name
        ("fluxloop/demo-agent", "."),  # a path
        (None, "fluxloop/demo-agent/examples"),  # no --project: the nearest project up
    ],
)
def test_a_0_2_project_is_found_from_anywhere(
    workspace: Path, project: str | None, where: str
) -> None:
    found = find_project(project, cwd=workspace / where)
    assert found.dir == (workspace / "fluxloop" / "demo-agent").resolve()
    assert found.config_path == found.dir / "configs" / "simulation.yaml"


def test_the_four_files_merge_into_one_config(legacy_project: Path) -> None:
    loaded = open_config(project=str(legacy_project))
    config = loaded.config
    assert loaded.project_dir == legacy_project.resolve()
    # simulation.yaml is merged after project.yaml: its name wins, as in 0.2.x
    assert config.name == "demo-agent_experiment"
    assert config.runner.resolved_target == "examples.simple_agent:run"
    assert config.runner.timeout_seconds == 120
    assert config.runner.max_retries == 3
    assert config.runner.working_directory == legacy_project.resolve()
    # labels beside `input` become metadata
    assert config.base_inputs[0].input == "How do I get started?"
    assert config.base_inputs[0].metadata == {"expected_intent": "help"}
    assert config.input_generation.strategies == ["rephrase", "verbose", "error_prone"]
    assert config.input_generation.llm.temperature == 0.7  # variation_temperature
    assert config.inputs_file == legacy_project.resolve() / "inputs" / "generated.yaml"
    assert config.output_directory == legacy_project.resolve() / "experiments"
    assert config.collector.url is None  # collector_url: null


def test_keys_without_counterpart_are_listed_with_file_line_and_reason(
    legacy_project: Path,
) -> None:
    dropped = {d.origin.key: d for d in read_legacy_project(legacy_project).dropped}
    assert dropped["personas"].origin.where == "configs/input.yaml:46"
    assert "persona" in dropped["personas"].reason
    # one entry per unit the reason is about, not per key inside it
    assert dropped["multi_turn"].origin.where == "configs/simulation.yaml:27"
    assert not any(key.startswith("multi_turn.") for key in dropped)
    assert dropped["seed"].origin.where == "configs/simulation.yaml:11"
    assert {"evaluation_goal", "metrics", "efficiency", "output", "advanced"} <= set(dropped)
    # "not set" in 0.2.x is not listed: nothing is lost
    assert "collector_api_key" not in dropped
    assert "input_generation.llm.api_key" not in dropped


@pytest.mark.parametrize(
    ("file", "old", "new", "line", "expect_key"),
    [
        ("simulation.yaml", "iterations: 1  ", "iterations: true", 8, "iterations"),
        (
            "simulation.yaml",
            "  timeout_seconds: 120",
            "  timeout_seconds: -1 ",
            19,
            "runner.timeout_seconds",
        ),
        ("simulation.yaml", "  max_retries: 3", "  max_retrys: 3", 20, "runner.max_retrys"),
        (
            "input.yaml",
            "variation_temperature: 0.7",
            "variation_temperature: hot",
            38,
            "variation_temperature (here input_generation.llm.temperature)",
        ),
        ("input.yaml", '  - input: "How do I get started?"', "  - input: 5", 18, None),
        ("input.yaml", "  mode: llm", "  mode: magic", 80, "input_generation.mode"),
        ("project.yaml", "collector_url: null", "collector_url: [1]", 13, None),
    ],
)
def test_an_error_points_at_the_0_2_file_line_and_key(
    legacy_project: Path, file: str, old: str, new: str, line: int, expect_key: str | None
) -> None:
    path = legacy_project / "configs" / file
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ConfigError) as caught:
        open_config(project=str(legacy_project))
    error = caught.value
    assert error.file == str(path)
    assert error.line == line
    if expect_key is not None:
        assert error.key == expect_key


def test_malformed_yaml_in_any_section_is_reported_at_its_line(legacy_project: Path) -> None:
    path = legacy_project / "configs" / "evaluation.yaml"
    path.write_text("metrics:\n  task: [1\n")
    with pytest.raises(ConfigError) as caught:
        open_config(project=str(legacy_project))
    assert caught.value.file == str(path)
    assert caught.value.line is not None


def test_the_workspace_lists_a_0_2_project(workspace: Path) -> None:
    (info,) = list_projects(workspace)
    assert info.name == "demo-agent"
    assert info.problem is None
    assert info.target == "examples.simple_agent:run"


def test_run_experiment_runs_a_0_2_project_from_the_workspace(workspace: Path) -> None:
    result = run_cli(
        "run", "experiment", "--project", "demo-agent", "--no-collector", cwd=workspace
    )
    assert "6 of 6 runs" in result.stdout + result.stderr
    experiments = workspace / "fluxloop" / "demo-agent" / "experiments"
    (folder,) = [p for p in experiments.iterdir() if p.name.startswith("demo-agent_experiment_")]
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["results"]["total_runs"] == 6
    assert summary["config_file"].endswith("configs/simulation.yaml")
    lines = [json.loads(line) for line in (folder / "traces.jsonl").read_text().splitlines()]
    assert {line["input_metadata"]["persona"] for line in lines} == {"novice_user", "expert_user"}
    assert all(line["status"] == "success" for line in lines)


def test_validate_checks_a_0_2_project_and_lists_every_problem_at_its_line(
    legacy_project: Path,
) -> None:
    assert validate_project(legacy_project) == []
    simulation = legacy_project / "configs" / "simulation.yaml"
    text = simulation.read_text().replace("iterations: 1 ", "iterations: true")
    simulation.write_text(text.replace("  max_retries: 3", "  max_retries: -3"))
    problems = validate_project(legacy_project)
    assert [(p.file, p.line) for p in problems] == [
        (simulation, 8),
        (simulation, 20),
    ]


def test_multi_turn_enabled_is_refused_at_its_line_rather_than_run_single_turn(
    legacy_project: Path,
) -> None:
    simulation = legacy_project / "configs" / "simulation.yaml"
    text = simulation.read_text()
    simulation.write_text(text.replace("  enabled: false              #", "  enabled: true #", 1))
    with pytest.raises(ConfigError) as caught:
        open_config(project=str(legacy_project))
    assert (caught.value.file, caught.value.line) == (str(simulation), 28)
    assert "multi_turn.enabled: false" in caught.value.render()


def test_the_first_error_says_how_many_more_and_where_to_see_them(legacy_project: Path) -> None:
    simulation = legacy_project / "configs" / "simulation.yaml"
    text = simulation.read_text().replace("iterations: 1 ", "iterations: true")
    simulation.write_text(text.replace("  max_retries: 3", "  max_retries: -3"))
    with pytest.raises(ConfigError) as caught:
        open_config(project=str(legacy_project))
    assert caught.value.line == 8
    assert "(1 more problem: `fluxloop config validate --project" in caught.value.render()
