"""`fluxloop init project` / `init agent`: the seed's scaffold tree, name checks, --force."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
import yaml
from fluxloop_runner import Runner

from fluxloop_core.config.env import KNOWN_VARIABLES, read_env_file
from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import UsageError
from fluxloop_core.scaffold import (
    TEMPLATES,
    create_agent,
    create_project,
    validate_agent_name,
    validate_project_name,
)


def tree(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) + ("/" if p.is_dir() else "") for p in root.rglob("*"))


def test_init_project_creates_exactly_the_seed_tree(tmp_path: Path, fluxloop: Runner) -> None:
    result = fluxloop("init", "project", "--name", "my-agent", cwd=tmp_path)
    assert "cd fluxloop/my-agent" in result.stdout
    assert tree(tmp_path) == [
        "fluxloop/",
        "fluxloop/.env",
        "fluxloop/my-agent/",
        "fluxloop/my-agent/.env",
        "fluxloop/my-agent/examples/",
        "fluxloop/my-agent/examples/simple_agent.py",
        "fluxloop/my-agent/experiments/",
        "fluxloop/my-agent/inputs/",
        "fluxloop/my-agent/recordings/",
        "fluxloop/my-agent/setting.yaml",
    ]


def test_env_templates_document_every_variable_commented_out(tmp_path: Path) -> None:
    project = create_project(tmp_path, "demo")
    workspace_env = tmp_path / "fluxloop" / ".env"
    text = workspace_env.read_text()
    for variable in KNOWN_VARIABLES:
        assert f"# {variable.name}=" in text, variable.name
    # Nothing is set: a fresh scaffold changes no behaviour.
    assert read_env_file(workspace_env) == {}
    assert read_env_file(project / ".env") == {}


def test_sample_agent_is_the_seed_mode_1_agent(tmp_path: Path) -> None:
    project = create_project(tmp_path, "demo")
    source = (project / "examples" / "simple_agent.py").read_text()
    assert "import fluxloop\n" in source
    assert "@fluxloop.agent()\ndef run(input_text: str) -> str:\n" in source
    assert 'return f"Processed: {input_text}"' in source
    ast.parse(source)


def test_scaffold_setting_yaml_loads_with_the_documented_keys(tmp_path: Path) -> None:
    project = create_project(tmp_path, "my-agent")
    text = (project / "setting.yaml").read_text()
    assert "fluxloop config schema" in text.split("\nname:")[0]  # header comment
    assert '# inputs_file: "inputs/generated.yaml"' in text
    assert "send_message_callback" in text  # commented provider examples
    raw = yaml.safe_load(text)
    assert raw["name"] == "my-agent"
    assert raw["runner"] == {
        "target": "examples.simple_agent:run",
        "working_directory": ".",
        "timeout_seconds": 300,
    }
    assert 2 <= len(raw["base_inputs"]) <= 3
    assert raw["output_directory"] == "experiments"
    assert "inputs_file" not in raw
    assert raw["input_generation"]["mode"] == "deterministic"
    assert raw["input_generation"]["llm"] == {
        "enabled": False,
        "provider": "openai",
        "model": "gpt-4o-mini",
    }
    assert raw["replay_args"] == {
        "enabled": False,
        "recording_file": "recordings/args.jsonl",
        "override_param_path": "data.content",
        "callable_providers": {},
    }
    assert "url" not in raw["collector"]

    loaded = load_config(project / "setting.yaml", env=None)
    config = loaded.config
    assert config.runner.working_directory == project
    assert config.output_directory == project / "experiments"
    assert config.collector_url({}) is None  # no collector needed


@pytest.mark.parametrize(
    "name", ["", "a/b", "..", "a..b", "../x", "-dash", "sp ace", "x" * 65, "back\\slash"]
)
def test_bad_project_names_exit_2(tmp_path: Path, fluxloop: Runner, name: str) -> None:
    assert validate_project_name(name) is not None
    result = fluxloop("init", "project", f"--name={name}", cwd=tmp_path, code=2)
    assert result.stderr.startswith("error: ")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "fluxloop").exists()


@pytest.mark.parametrize("name", ["my-agent", "agent_2", "v1.2", "A"])
def test_good_project_names(name: str) -> None:
    assert validate_project_name(name) is None


def test_existing_project_needs_force_and_keeps_env_files(tmp_path: Path, fluxloop: Runner) -> None:
    fluxloop("init", "project", "--name", "p", cwd=tmp_path)
    project = tmp_path / "fluxloop" / "p"
    (project / "setting.yaml").write_text("name: edited\n")
    (project / ".env").write_text("OPENAI_API_KEY=sk-keep-me\n")
    (tmp_path / "fluxloop" / ".env").write_text("FLUXLOOP_DEBUG=true\n")

    refused = fluxloop("init", "project", "--name", "p", cwd=tmp_path, code=2)
    assert "--force" in refused.stderr
    assert (project / "setting.yaml").read_text() == "name: edited\n"

    fluxloop("init", "project", "--name", "p", "--force", cwd=tmp_path)
    assert "examples.simple_agent:run" in (project / "setting.yaml").read_text()
    assert (project / ".env").read_text() == "OPENAI_API_KEY=sk-keep-me\n"
    assert (tmp_path / "fluxloop" / ".env").read_text() == "FLUXLOOP_DEBUG=true\n"


def test_path_option_is_the_workspace_parent(tmp_path: Path, fluxloop: Runner) -> None:
    fluxloop("init", "project", "--name", "a", "--path", "work/space", cwd=tmp_path)
    assert (tmp_path / "work" / "space" / "fluxloop" / "a" / "setting.yaml").is_file()
    (tmp_path / "afile").write_text("")
    fluxloop("init", "project", "--name", "b", "--path", "afile", cwd=tmp_path, code=2)


def test_init_agent_templates(project: Path, fluxloop: Runner) -> None:
    assert TEMPLATES == ("simple", "replay")
    fluxloop("init", "agent", "my_agent", "--template", "simple", cwd=project)
    simple = (project / "examples" / "my_agent.py").read_text()
    assert "@fluxloop.agent()" in simple and "def run(input_text: str) -> str:" in simple

    result = fluxloop("init", "agent", "handler", "--template", "replay", cwd=project)
    assert "examples.handler:MessageHandler.handle_message" in result.stdout
    replay = (project / "examples" / "handler.py").read_text()
    ast.parse(replay)
    for needle in (
        "fluxloop.record_call_args(",
        'target="examples.handler:MessageHandler.handle_message"',
        "send_message_callback=send_message_callback",
        "send_error_callback=send_error_callback",
        "async def handle_message(",
    ):
        assert needle in replay

    refused = fluxloop("init", "agent", "handler", cwd=project, code=2)
    assert "--force" in refused.stderr
    assert (project / "examples" / "handler.py").read_text() == replay
    fluxloop("init", "agent", "handler", "--force", cwd=project)
    assert "def run(" in (project / "examples" / "handler.py").read_text()


def test_init_agent_finds_the_project_by_name(
    tmp_path: Path, project: Path, fluxloop: Runner
) -> None:
    fluxloop("init", "agent", "other", "--project", "my-agent", cwd=tmp_path)
    assert (project / "examples" / "other.py").is_file()


@pytest.mark.parametrize("name", ["my-agent", "1st", "class", "a.b", ""])
def test_init_agent_rejects_non_identifiers(project: Path, fluxloop: Runner, name: str) -> None:
    assert validate_agent_name(name) is not None
    fluxloop("init", "agent", name, cwd=project, code=2)


def test_init_agent_unknown_template_and_no_project(
    tmp_path: Path, project: Path, fluxloop: Runner
) -> None:
    result = fluxloop("init", "agent", "x", "--template", "fancy", cwd=project, code=2)
    assert "simple, replay" in result.stderr
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    fluxloop("init", "agent", "x", cwd=outside, code=2)


def test_api_errors_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        create_project(tmp_path, "a/b")
    with pytest.raises(UsageError):
        create_project(tmp_path, "ok", template="nope")
    project = create_project(tmp_path, "ok", template="replay")
    assert (project / "examples" / "message_handler.py").is_file()
    with pytest.raises(UsageError):
        create_agent(project, "message_handler")


@pytest.mark.parametrize(
    "inside", ["fluxloop", "fluxloop/my-agent", "fluxloop/my-agent/examples", "docs"]
)
def test_init_project_inside_a_workspace_creates_it_there(
    tmp_path: Path, fluxloop: Runner, inside: str
) -> None:
    fluxloop("init", "project", "--name", "my-agent", cwd=tmp_path)
    (tmp_path / inside).mkdir(parents=True, exist_ok=True)
    fluxloop("init", "project", "--name", "second", cwd=tmp_path / inside)
    assert (tmp_path / "fluxloop" / "second" / "setting.yaml").is_file()
    assert not list(tmp_path.rglob("fluxloop/fluxloop"))
    assert not (tmp_path / inside / "fluxloop").exists() or inside == "fluxloop"


def test_a_folder_named_fluxloop_without_projects_is_no_workspace(
    tmp_path: Path, fluxloop: Runner
) -> None:
    checkout = tmp_path / "fluxloop" / "src"  # e.g. a clone of a repository named fluxloop
    checkout.mkdir(parents=True)
    fluxloop("init", "project", "--name", "demo", cwd=checkout)
    assert (checkout / "fluxloop" / "demo" / "setting.yaml").is_file()
