"""Layered environment: process > project .env > the workspace's global fluxloop/.env."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.env import (
    load_layered_env,
    resolve_llm_key,
)
from fluxloop_core.config.layout import workspace_env_file
from fluxloop_core.errors import ConfigError
from fluxloop_core.redaction import mask_secret


def workspace(tmp_path: Path) -> Path:
    project = tmp_path / "fluxloop" / "my-agent"
    project.mkdir(parents=True)
    (tmp_path / "fluxloop" / ".env").write_text(
        "# global\nOPENAI_API_KEY=sk-global-1234\nFLUXLOOP_DEBUG=true\nSHARED=global\n"
    )
    (project / ".env").write_text("SHARED=project\nFLUXLOOP_SAMPLE_RATE=0.5\n")
    return project


def test_layers_override_in_order_and_remember_their_source(tmp_path: Path) -> None:
    project = workspace(tmp_path)
    env = load_layered_env(project, process_env={"FLUXLOOP_DEBUG": "false"})
    assert env["OPENAI_API_KEY"] == "sk-global-1234"
    assert env.source("OPENAI_API_KEY") == "global .env"
    assert env["SHARED"] == "project" and env.source("SHARED") == "project .env"
    assert env["FLUXLOOP_DEBUG"] == "false" and env.source("FLUXLOOP_DEBUG") == "process"
    assert env.source("FLUXLOOP_BATCH_SIZE") == "default"
    assert env.dotenv_values() == {
        "OPENAI_API_KEY": "sk-global-1234",
        "SHARED": "project",
        "FLUXLOOP_SAMPLE_RATE": "0.5",
    }


def test_global_env_is_only_the_workspace_folder(tmp_path: Path) -> None:
    project = tmp_path / "elsewhere" / "proj"
    project.mkdir(parents=True)
    (tmp_path / ".env").write_text("STRAY=1\n")
    assert workspace_env_file(project) is None
    assert "STRAY" not in load_layered_env(project, process_env={})


def test_llm_key_falls_back_to_the_universal_key() -> None:
    assert resolve_llm_key("openai", {"OPENAI_API_KEY": "a"}) == ("a", "OPENAI_API_KEY")
    assert resolve_llm_key("anthropic", {"FLUXLOOP_LLM_API_KEY": "u"}) == (
        "u",
        "FLUXLOOP_LLM_API_KEY",
    )
    assert resolve_llm_key("local", {"FLUXLOOP_LLM_API_KEY": "u"}) == ("u", "FLUXLOOP_LLM_API_KEY")
    assert resolve_llm_key("openai", {"ANTHROPIC_API_KEY": "x"}) == (None, None)


def test_mask_secret_keeps_only_the_last_four() -> None:
    assert mask_secret("sk-abcdef1234") == "*********1234"
    assert mask_secret("abcd") == "****"


def test_non_utf8_env_file_is_a_config_error(tmp_path: Path) -> None:
    project = workspace(tmp_path)
    (project / ".env").write_bytes(b"A=caf\xe9\n")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_layered_env(project, process_env={})


def test_every_variable_the_sdk_reads_is_known_to_the_core() -> None:
    """config env and status check list each FLUXLOOP_* variable the SDK reads."""
    from fluxloop.config import _FIELDS

    from fluxloop_core.config.env import KNOWN_VARIABLES

    read_by_sdk = {variable for variable, _, _ in _FIELDS.values() if variable}
    assert read_by_sdk <= {known.name for known in KNOWN_VARIABLES}
