"""`fluxloop config show | env | schema | set-llm` from a real subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from fluxloop_runner import Runner

from fluxloop_core.config.env import KNOWN_VARIABLES, load_layered_env, read_env_file
from fluxloop_core.config.models import ExperimentConfig
from fluxloop_core.env_report import env_report


def test_show_effective_config_yaml_and_json(
    tmp_path: Path, project: Path, fluxloop: Runner
) -> None:
    shown = fluxloop("config", "show", "--project", "my-agent", cwd=tmp_path)
    assert shown.stdout.startswith(f"# effective config of {project / 'setting.yaml'}")
    data = yaml.safe_load(shown.stdout)
    assert data["runner"]["target"] == "examples.simple_agent:run"
    assert data["runner"]["working_directory"] == str(project)
    assert data["output_directory"] == str(project / "experiments")
    assert data["input_generation"]["llm"]["temperature"] == 0.7  # a default filled in
    assert "module_path" not in data["runner"]
    as_json = json.loads(fluxloop("config", "show", "--json", cwd=project).stdout)
    assert as_json == data
    # What is shown is itself a valid config.
    ExperimentConfig.model_validate(as_json)


def test_show_never_prints_secrets(project: Path, fluxloop: Runner) -> None:
    (project / ".env").write_text("OPENAI_API_KEY=sk-very-secret-key-0042\n")
    config = project / "setting.yaml"
    data = yaml.safe_load(config.read_text())
    data["runner"]["environment_vars"] = {
        "OPENAI_API_KEY": "${OPENAI_API_KEY}",
        "DB_PASSWORD": "hunter2-long",
        "MODE": "test",
    }
    data["collector"]["url"] = "http://user:pa55word@127.0.0.1:9/"
    config.write_text(yaml.safe_dump(data))
    for extra in ((), ("--json",), ("--show-values",), ("--json", "--show-values")):
        out = fluxloop("config", "show", *extra, cwd=project).stdout
        assert "sk-very-secret" not in out and "hunter2" not in out and "pa55word" not in out
        assert ("0042" in out) == ("--show-values" in extra) and "test" in out


def test_schema_is_json_schema(tmp_path: Path, fluxloop: Runner) -> None:
    schema = json.loads(fluxloop("config", "schema", cwd=tmp_path).stdout)
    assert schema["title"] == "FluxLoop setting.yaml"
    assert "runner" in schema["properties"]


def test_env_hidden_shown_and_sources(tmp_path: Path, project: Path, fluxloop: Runner) -> None:
    (tmp_path / "fluxloop" / ".env").write_text(
        "ANTHROPIC_API_KEY=sk-ant-global-5555\nFLUXLOOP_DEBUG=true\nFLUXLOOP_COLECTOR_URL=x\n"
    )
    (project / ".env").write_text("OPENAI_API_KEY=sk-project-secret-9876\n")
    env = {"FLUXLOOP_COLLECTOR_URL": "http://127.0.0.1:8000"}

    hidden = fluxloop("config", "env", "--json", cwd=project, env=env)
    rows = {row["name"]: row for row in json.loads(hidden.stdout)["variables"]}
    assert [name for name in rows][: len(KNOWN_VARIABLES)] == [v.name for v in KNOWN_VARIABLES]
    assert rows["OPENAI_API_KEY"] | {"description": ""} == {
        "name": "OPENAI_API_KEY",
        "set": True,
        "source": "project .env",
        "value": "set",
        "secret": True,
        "description": "",
    }
    assert rows["ANTHROPIC_API_KEY"]["source"] == "global .env"
    assert rows["FLUXLOOP_COLLECTOR_URL"]["source"] == "process"
    assert rows["FLUXLOOP_SAMPLE_RATE"]["source"] == "default"
    # A default is what is in effect: shown, never "not set" (it holds nothing private).
    defaults = [v for v in KNOWN_VARIABLES if v.default is not None]
    for variable in defaults:
        row = rows[variable.name]
        if row["source"] == "default":
            assert row["value"] == variable.default, row
    assert len([v for v in defaults if rows[v.name]["source"] == "default"]) >= 5
    assert rows["FLUXLOOP_API_KEY"]["value"] == "not set"  # no default: truly unset
    table = fluxloop("config", "env", cwd=project, env=env).stdout
    line = next(ln for ln in table.splitlines() if ln.startswith("FLUXLOOP_SAMPLE_RATE"))
    assert line.split()[:3] == ["FLUXLOOP_SAMPLE_RATE", "default", "1.0"]
    assert "FLUXLOOP_COLECTOR_URL" in rows  # a typo is visible
    assert "9876" not in hidden.stdout

    shown = fluxloop("config", "env", "--show-values", cwd=project, env=env)
    assert "sk-project-secret" not in shown.stdout and "sk-ant-global" not in shown.stdout
    assert "**************9876" in shown.stdout and "5555" in shown.stdout
    assert "http://127.0.0.1:8000" in shown.stdout  # non-secrets in full
    line = next(ln for ln in shown.stdout.splitlines() if ln.startswith("FLUXLOOP_SAMPLE_RATE"))
    assert line.split()[:3] == ["FLUXLOOP_SAMPLE_RATE", "default", "1.0"]


def test_env_outside_a_project(tmp_path: Path, project: Path, fluxloop: Runner) -> None:
    (tmp_path / "fluxloop" / ".env").write_text("FLUXLOOP_DEBUG=true\n")
    # In the workspace parent: the nearest fluxloop/.env is the global layer.
    out = json.loads(fluxloop("config", "env", "--json", "--show-values", cwd=tmp_path).stdout)
    debug = next(row for row in out["variables"] if row["name"] == "FLUXLOOP_DEBUG")
    assert (debug["source"], debug["value"]) == ("global .env", "true")
    assert out["project"] is None
    # Far from any workspace: process environment and defaults only.
    lonely = tmp_path.parent / f"{tmp_path.name}-lonely"
    lonely.mkdir()
    out = json.loads(fluxloop("config", "env", "--json", cwd=lonely).stdout)
    assert out["global_env_file"] is None


@pytest.mark.parametrize("show_values", [False, True])
def test_env_report_never_leaks_a_full_secret(tmp_path: Path, show_values: bool) -> None:
    env = load_layered_env(tmp_path, process_env={"OPENAI_API_KEY": "sk-abcdefgh1234"})
    rows = {row.name: row for row in env_report(env, show_values=show_values)}
    assert rows["OPENAI_API_KEY"].value == ("*" * 11 + "1234" if show_values else "set")


def test_set_llm_writes_key_and_keeps_comments(project: Path, fluxloop: Runner) -> None:
    config = project / "setting.yaml"
    before = config.read_text().splitlines()
    result = fluxloop(
        "config", "set-llm", "openai", "sk-xxxx-secret-9876", "--model", "gpt-4o", cwd=project
    )
    assert "sk-xxxx-secret-9876" not in result.stdout + result.stderr
    assert "***************9876" in result.stdout
    after = config.read_text().splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("    enabled: false", "    enabled: true"),
        ("    model: gpt-4o-mini", "    model: gpt-4o"),
    ]
    env_text = (project / ".env").read_text()
    assert read_env_file(project / ".env") == {"OPENAI_API_KEY": "sk-xxxx-secret-9876"}
    # The commented template line was filled in where it stood; other comments stay.
    assert env_text.splitlines()[0].startswith("# Environment overrides")
    assert "# ANTHROPIC_API_KEY=sk-ant-..." in env_text
    assert not list(project.glob(".*.tmp")) and not list(project.glob(".*.check"))


def test_set_llm_base_url_and_custom_provider(project: Path, fluxloop: Runner) -> None:
    config = project / "setting.yaml"
    before = config.read_text()
    fluxloop(
        "config", "set-llm", "local", "sk-local-0001",
        "--base-url", "http://127.0.0.1:8080/v1", "--project", str(project),
        cwd=project.parent.parent,
    )  # fmt: skip
    after = config.read_text()
    assert (
        after.replace("provider: local", "provider: openai")
        .replace("    base_url: http://127.0.0.1:8080/v1\n", "")
        .replace("enabled: true", "enabled: false", 1)
        == before
    )
    # A new key goes inside its block, before the next section's comment.
    assert (
        "model: gpt-4o-mini\n    base_url: http://127.0.0.1:8080/v1\n\n# Argument replay" in after
    )
    assert read_env_file(project / ".env")["FLUXLOOP_LLM_API_KEY"] == "sk-local-0001"
    llm = yaml.safe_load(after)["input_generation"]["llm"]
    assert llm == {
        "enabled": True,
        "provider": "local",
        "model": "gpt-4o-mini",
        "base_url": "http://127.0.0.1:8080/v1",
    }


def test_set_llm_replaces_an_existing_assignment(project: Path, fluxloop: Runner) -> None:
    env_file = project / ".env"
    env_file.write_text("# mine\nOPENAI_API_KEY=old\nOTHER=1\nexport OPENAI_API_KEY=older\n")
    fluxloop("config", "set-llm", "openai", "sk-new-key-7777", cwd=project)
    assert env_file.read_text() == "# mine\nOPENAI_API_KEY=sk-new-key-7777\nOTHER=1\n"
    fluxloop("config", "set-llm", "anthropic", "sk-ant-2222", cwd=project)
    assert read_env_file(env_file) == {
        "OPENAI_API_KEY": "sk-new-key-7777",
        "OTHER": "1",
        "ANTHROPIC_API_KEY": "sk-ant-2222",
    }
    status = fluxloop("config", "env", "--show-values", cwd=project)
    assert "sk-ant-2222" not in status.stdout and "2222" in status.stdout


def test_set_llm_refuses_invalid_results_and_bad_usage(project: Path, fluxloop: Runner) -> None:
    config = project / "setting.yaml"
    env_file = project / ".env"
    config.write_text(config.read_text().replace("iterations: 3", "iterations: 0"))
    before_config, before_env = config.read_text(), env_file.read_text()
    result = fluxloop("config", "set-llm", "openai", "sk-1234567", cwd=project, code=2)
    assert "iterations" in result.stderr and "not written" in result.stderr
    for args in (
        ("bad provider!", "sk-123456"),
        ("openai", "has space"),
        ("openai", "sk-123456", "--base-url", "ftp://x"),
        ("openai", "sk-123456", "--model", " "),
    ):
        bad = fluxloop("config", "set-llm", *args, cwd=project, code=2)
        assert len(bad.stderr.strip().splitlines()) == 1
    assert config.read_text() == before_config
    assert env_file.read_text() == before_env


def test_set_llm_warns_when_the_shell_wins(project: Path, fluxloop: Runner) -> None:
    result = fluxloop(
        "config", "set-llm", "openai", "sk-new-5678", cwd=project,
        env={"OPENAI_API_KEY": "sk-shell-0000"},
    )  # fmt: skip
    assert "also set in your shell" in result.stderr


def test_config_set_prints_the_change_and_refuses_a_typo(project: Path, fluxloop: Runner) -> None:
    out = fluxloop("config", "set", "runner.timeout_seconds", "60", cwd=project).stdout
    assert out == f"runner.timeout_seconds: 300 -> 60 in {project / 'setting.yaml'}\n"
    err = fluxloop("config", "set", "runer.timeout_seconds", "60", cwd=project, code=2).stderr
    assert "Did you mean runner?" in err
    err = fluxloop("config", "set", "iterations", cwd=project, code=2).stderr
    assert "give a value or --unset" in err
    out = fluxloop("config", "set", "iterations", "--unset", cwd=project).stdout
    assert "-> (default)" in out
