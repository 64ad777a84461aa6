"""Round-trip edits of setting.yaml and .env files: comments, order and style survive."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from fluxloop_core.config.dotenv_edit import set_env_value, updated_env_text
from fluxloop_core.config.edit import guess_indent, update_config_values
from fluxloop_core.config.env import read_env_file
from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import ConfigError, UsageError

COMPACT = textwrap.dedent("""\
    # my own header
    name: 'compact'   # quoted my way
    runner:
        target: "agent:run"
        environment_vars:
            MODE: test
    base_inputs:
    - input: one
    - input: "two"
      metadata: {a: 1}
    input_generation:
        strategies: [rephrase]   # flow style kept
    """)


def test_update_keeps_a_different_style_untouched(tmp_path: Path) -> None:
    config = tmp_path / "setting.yaml"
    config.write_text(COMPACT)
    assert guess_indent(COMPACT) == (4, 0)
    update_config_values(
        config,
        {
            "iterations": 4,
            "base_inputs.1.input": "deux",
            "input_generation.llm.model": "gpt-4o",
            "runner.environment_vars.MODE": None,
        },
    )
    text = config.read_text()
    assert text.startswith("# my own header\nname: 'compact'   # quoted my way\n")
    assert '- input: "deux"\n' in text  # the quoting of the replaced value is kept
    assert "strategies: [rephrase]   # flow style kept\n" in text
    assert "    llm:\n        model: gpt-4o\niterations: 4\n" in text
    assert "MODE" not in text
    loaded = load_config(config).config
    assert loaded.iterations == 4
    assert loaded.base_inputs[1].input == "deux"
    assert loaded.runner.environment_vars == {}


def test_update_refuses_an_invalid_result_and_leaves_the_file(tmp_path: Path) -> None:
    config = tmp_path / "setting.yaml"
    config.write_text(COMPACT)
    with pytest.raises(ConfigError) as caught:
        update_config_values(config, {"iterations": 0})
    assert caught.value.key == "iterations" and caught.value.file == str(config)
    assert "not written" in caught.value.render()
    with pytest.raises(ConfigError):
        update_config_values(config, {"runner.target.deeper": "x"})
    with pytest.raises(ConfigError):
        update_config_values(config, {"base_inputs.9.input": "x"})
    with pytest.raises(UsageError):
        update_config_values(config, {"runner..target": "x"})
    assert config.read_text() == COMPACT
    assert sorted(p.name for p in tmp_path.iterdir()) == ["setting.yaml"]


def test_env_edit_keeps_crlf_and_adds_a_missing_newline() -> None:
    assert updated_env_text("A=1\r\nB=2\r\n", "B", "3") == "A=1\r\nB=3\r\n"
    assert updated_env_text("A=1", "B", "2") == "A=1\nB=2\n"
    assert updated_env_text("", "B", "2") == "B=2\n"
    assert updated_env_text("export B=1\n", "B", "2") == "export B=2\n"
    assert updated_env_text("#B=old\n", "B", "x y") == 'B="x y"\n'


@pytest.mark.parametrize("value", ["sk-plain_1.2", "a b#c", "it's", 'q"q', "back\\slash", "ünï"])
def test_env_values_read_back_unchanged(tmp_path: Path, value: str) -> None:
    env_file = tmp_path / "sub" / ".env"
    set_env_value(env_file, "KEY", value)
    assert read_env_file(env_file) == {"KEY": value}


@pytest.mark.parametrize(("name", "value"), [("1BAD", "x"), ("OK", "two\nlines"), ("OK", "${X}")])
def test_env_edit_refuses_what_a_dotenv_cannot_hold(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(UsageError):
        set_env_value(tmp_path / ".env", name, value)
    assert not (tmp_path / ".env").exists()


def test_env_edit_refuses_non_utf8(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(b"A=caf\xe9\n")
    with pytest.raises(ConfigError):
        set_env_value(env_file, "B", "1")
    assert env_file.read_bytes() == b"A=caf\xe9\n"


def test_file_modes_survive_edits(tmp_path: Path) -> None:
    from fluxloop_core.config.edit import set_llm
    from fluxloop_core.scaffold import create_project

    project = create_project(tmp_path, "modes")
    config = project / "setting.yaml"

    def mode(path: Path) -> int:
        return path.stat().st_mode & 0o777

    assert mode(config) == 0o644
    assert mode(project / "examples" / "simple_agent.py") == 0o644
    assert mode(project / ".env") == 0o600  # it will hold keys
    assert mode(tmp_path / "fluxloop" / ".env") == 0o600
    (project / ".env").chmod(0o640)
    config.chmod(0o664)
    set_llm(config, "openai", "sk-mode-1234")
    assert mode(config) == 0o664
    assert mode(project / ".env") == 0o640
    fresh = tmp_path / "new.env"
    set_env_value(fresh, "A", "1")
    assert mode(fresh) == 0o600
