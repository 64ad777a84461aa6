"""``load_env`` and the .env reader behind it (no python-dotenv in the SDK)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import fluxloop
import pytest
from fluxloop.envfile import parse_env


@pytest.fixture(autouse=True)
def _restore_environment() -> Iterator[None]:
    # load_env writes os.environ itself; put it back before the SDK settings are reset.
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A=1\n", {"A": "1"}),
        ("# comment\n\nA=1", {"A": "1"}),
        ("export A=1\n", {"A": "1"}),
        ("A = spaced value  \n", {"A": "spaced value"}),
        ("A=value # comment\n", {"A": "value"}),
        ("A=value#not-a-comment\n", {"A": "value#not-a-comment"}),
        ("A='single ${X} #kept'\n", {"A": "single ${X} #kept"}),
        ('A="double\\nline \\"q\\""\n', {"A": 'double\nline "q"'}),
        ('A="spans\nlines"\nB=2\n', {"A": "spans\nlines", "B": "2"}),
        ("A=1\nB=${A}-${MISSING:-fallback}\n", {"A": "1", "B": "1-fallback"}),
        ("A=\n", {"A": ""}),
        ("not a line\n=nokey\nA=1\n", {"A": "1"}),
        ('A="unterminated\nB=2\n', {"B": "2"}),
        ("A=1\r\nB=2\r\n", {"A": "1", "B": "2"}),
    ],
)
def test_parse_env(text: str, expected: dict[str, str]) -> None:
    assert parse_env(text) == expected


def test_load_env_from_a_file_or_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("COMPAT_A=from-file\n")
    monkeypatch.setenv("COMPAT_A", "before")
    assert fluxloop.load_env(tmp_path, override=False) is True
    assert os.environ["COMPAT_A"] == "before"
    assert fluxloop.load_env(tmp_path / ".env") is True
    assert os.environ["COMPAT_A"] == "from-file"


@pytest.mark.parametrize("name", ["missing.env", "folder-without-env", "empty.env"])
def test_load_env_without_variables_answers_false(tmp_path: Path, name: str) -> None:
    (tmp_path / "folder-without-env").mkdir()
    (tmp_path / "empty.env").write_text("# nothing here\n")
    assert fluxloop.load_env(tmp_path / name) is False


def test_load_env_without_a_path_finds_the_nearest_env_upwards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("COMPAT_UP=found\n")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    monkeypatch.delenv("COMPAT_UP", raising=False)
    assert fluxloop.load_env() is True
    assert os.environ["COMPAT_UP"] == "found"


def test_load_env_refreshes_settings_but_configure_still_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("FLUXLOOP_SERVICE_NAME=svc\nFLUXLOOP_BATCH_SIZE=7\n")
    monkeypatch.delenv("FLUXLOOP_SERVICE_NAME", raising=False)
    monkeypatch.delenv("FLUXLOOP_BATCH_SIZE", raising=False)
    fluxloop.configure(batch_size=3)
    fluxloop.load_env(tmp_path)
    assert fluxloop.get_config().service_name == "svc"
    assert fluxloop.get_config().batch_size == 3
    monkeypatch.setenv("FLUXLOOP_SERVICE_NAME", "kept")
    fluxloop.load_env(tmp_path, override=False, refresh_config=False)
    assert fluxloop.get_config().service_name == "svc"  # not refreshed


@pytest.mark.parametrize(
    ("line", "variable"),
    [
        ("FLUXLOOP_SAMPLE_RATE=abc", "FLUXLOOP_SAMPLE_RATE"),
        ("FLUXLOOP_COLLECTOR_FORMAT=xml", "FLUXLOOP_COLLECTOR_FORMAT"),
        ("FLUXLOOP_TIMEOUT=-1", "FLUXLOOP_TIMEOUT"),
    ],
)
def test_an_invalid_setting_in_the_file_names_its_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line: str, variable: str
) -> None:
    (tmp_path / ".env").write_text(line + "\n")
    monkeypatch.delenv(variable, raising=False)
    with pytest.raises(fluxloop.ConfigurationError, match=variable):
        fluxloop.load_env(tmp_path)


def test_a_nul_character_is_refused_with_the_file_and_name(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text('COMPAT_NUL="a\x00b"\nCOMPAT_OTHER=1\n')
    with pytest.raises(fluxloop.ConfigurationError, match="COMPAT_NUL"):
        fluxloop.load_env(tmp_path)
    assert "COMPAT_OTHER" not in os.environ  # nothing half-loaded


def test_the_env_file_written_by_fluxloop_cli_0_2_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    from compat_helpers import FIXTURES

    project = FIXTURES / "fluxloop" / "demo-agent"
    names = list(parse_env((project / ".env").read_text()))
    for name in names:
        monkeypatch.delenv(name, raising=False)
    assert fluxloop.load_env(project) is True
    config = fluxloop.get_config()
    assert (config.service_name, config.environment) == ("my-agent", "development")
    assert config.recording_file == "/tmp/fluxloop_args.jsonl"  # "FLUXLOOP_RECORDING_FILE="
