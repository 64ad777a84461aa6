"""`migrate_project`: setting.yaml from a 0.2.x project, same meaning, comments kept, keys
left behind listed, nothing overwritten without force."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from fluxloop_core.config.edit import set_llm
from fluxloop_core.config.loader import load_config
from fluxloop_core.config.migrate import migrate_project
from fluxloop_core.config.project import find_project, open_config
from fluxloop_core.errors import ConfigError, ProjectNotFoundError, UsageError, UserError


def test_the_written_file_means_what_the_project_meant(legacy_project: Path) -> None:
    before = open_config(project=str(legacy_project)).config
    result = migrate_project(legacy_project)
    assert result.path == legacy_project.absolute() / "setting.yaml"
    assert result.path.read_text() == result.text
    assert load_config(result.path).config == before
    # from now on the project is found by its setting.yaml; configs/ is left as it was
    assert find_project(str(legacy_project)).config_path == result.path.resolve()
    assert (legacy_project / "configs" / "simulation.yaml").is_file()


def test_comments_come_along_and_file_headers_do_not(legacy_project: Path) -> None:
    text = migrate_project(legacy_project).text
    assert "iterations: 1  # Number of times to cycle through inputs/personas" in text
    assert "timeout_seconds: 120  # Abort long-running traces" in text
    assert "# 1. BASE USER INPUT (REQUIRED)" in text
    assert "FluxLoop Simulation Configuration" not in text  # simulation.yaml's own header
    # a comment is carried once
    assert text.count("# Start here: Write the main questions") == 1


def test_every_key_left_behind_is_listed_with_where_and_why(legacy_project: Path) -> None:
    result = migrate_project(legacy_project)
    listed = {d.origin.key: d for d in result.not_carried}
    assert {
        "version",
        "tags",
        "metadata",
        "variation_count",
        "personas",
        "run_delay_seconds",
        "seed",
        "multi_turn",
        "save_traces",
        "save_aggregated_metrics",
        "evaluation_goal",
        "metrics",
        "efficiency",
        "output",
        "advanced",
    } == set(listed)
    for dropped in result.not_carried:
        assert dropped.reason
        line = f"#   {dropped.origin.key} ({dropped.origin.where}): {dropped.reason}"
        assert line in result.text
    data = yaml.safe_load(result.text)
    assert not set(listed) & set(data)


def test_values_are_kept_as_written_and_secrets_stay_out(legacy_project: Path) -> None:
    simulation = legacy_project / "configs" / "simulation.yaml"
    simulation.write_text(
        simulation.read_text().replace(
            "  max_retries: 3 ", '  environment_vars: {MODE: "${APP_MODE:-dev}"}\n  max_retries: 3 '
        )
    )
    project = legacy_project / "configs" / "project.yaml"
    project.write_text(
        project.read_text()
        .replace("collector_url: null", "collector_url: http://127.0.0.1:9/c")
        .replace("collector_api_key: null", "collector_api_key: sk-collector-secret")
    )
    inputs = legacy_project / "configs" / "input.yaml"
    inputs.write_text(inputs.read_text().replace("api_key: null", "api_key: sk-llm-secret"))
    result = migrate_project(legacy_project)
    data = yaml.safe_load(result.text)
    assert data["runner"]["environment_vars"] == {"MODE": "${APP_MODE:-dev}"}
    assert data["collector"] == {"url": "http://127.0.0.1:9/c"}
    assert "sk-collector-secret" not in result.text and "sk-llm-secret" not in result.text
    listed = {d.origin.key: d.reason for d in result.not_carried}
    assert "FLUXLOOP_API_KEY" in listed["collector_api_key"]
    assert "OPENAI_API_KEY" in listed["input_generation.llm.api_key"]


def test_it_never_overwrites_without_force(legacy_project: Path) -> None:
    existing = legacy_project / "setting.yaml"
    existing.write_text("# mine\n")
    with pytest.raises(UsageError) as caught:
        migrate_project(legacy_project)
    assert "--force" in caught.value.render()
    assert existing.read_text() == "# mine\n"
    result = migrate_project(legacy_project, force=True)
    assert existing.read_text() == result.text != "# mine\n"


def test_a_folder_that_is_not_a_0_2_project_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError):
        migrate_project(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_a_broken_project_is_reported_at_its_line_and_nothing_is_written(
    legacy_project: Path,
) -> None:
    simulation = legacy_project / "configs" / "simulation.yaml"
    simulation.write_text(simulation.read_text().replace("iterations: 1 ", "iterations: yes"))
    with pytest.raises(ConfigError) as caught:
        migrate_project(legacy_project)
    assert (caught.value.file, caught.value.line) == (str(simulation), 8)
    assert not (legacy_project / "setting.yaml").exists()


def test_a_setting_yaml_that_is_a_folder_is_a_user_error(legacy_project: Path) -> None:
    (legacy_project / "setting.yaml").mkdir()
    with pytest.raises(UserError) as caught:
        migrate_project(legacy_project, force=True)
    assert "setting.yaml" in caught.value.render()
    assert (legacy_project / "setting.yaml").is_dir()


def test_set_llm_on_a_0_2_project_asks_for_migrate_and_writes_nothing(
    legacy_project: Path,
) -> None:
    before = {p: p.read_bytes() for p in legacy_project.rglob("*") if p.is_file()}
    config_path = find_project(str(legacy_project)).config_path
    with pytest.raises(ConfigError) as caught:
        set_llm(config_path, "openai", "sk-new-key")
    assert "config migrate" in caught.value.render()
    after = {p: p.read_bytes() for p in legacy_project.rglob("*") if p.is_file()}
    assert after == before
    migrate_project(legacy_project)
    change = set_llm(find_project(str(legacy_project)).config_path, "openai", "sk-new-key")
    assert change.config_path.name == "setting.yaml"


def test_config_migrate_command_writes_once_then_needs_force(workspace: Path) -> None:
    from legacy_helpers import run_cli

    first = run_cli("config", "migrate", "--project", "demo-agent", cwd=workspace)
    written = workspace / "fluxloop" / "demo-agent" / "setting.yaml"
    assert f"Wrote {written}" in first.stdout and written.is_file()
    assert "Not carried over" in first.stdout and "configs/" in first.stdout
    refused = run_cli("config", "migrate", "--project", "demo-agent", cwd=workspace, code=2)
    assert "--force" in refused.stderr + refused.stdout
    run_cli("config", "migrate", "--project", "demo-agent", "--force", cwd=workspace)
    run_cli("config", "validate", "--project", "demo-agent", cwd=workspace)
