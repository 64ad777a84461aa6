"""Recording on/off in a project's .env, and what a process started there records."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from fluxloop_core.errors import ConfigError, UsageError
from fluxloop_core.recording_switch import (
    disable_recording,
    enable_recording,
    recording_status,
)

RECORDING_AGENT = """
import fluxloop
fluxloop.load_env(override=False)
fluxloop.record_call_args("agent:run", input_text="hello", user={"id": 7})
"""


def _record_from(project: Path) -> None:
    """A process started from the project, as a staging agent would be."""
    subprocess.run([sys.executable, "-c", RECORDING_AGENT], cwd=project, check=True, timeout=60)


def test_enable_makes_a_process_started_there_record_to_the_file_it_names(
    project: Path,
) -> None:
    state = enable_recording(project, "recordings/staging.jsonl", process_env={})
    assert state.recording
    assert state.recording_file == project / "recordings" / "staging.jsonl"
    _record_from(project)
    line = json.loads(state.recording_file.read_text().splitlines()[0])
    assert line["target"] == "agent:run"
    assert line["kwargs"] == {"input_text": "hello", "user": {"id": 7}}


def test_disable_makes_the_same_process_record_nothing(project: Path) -> None:
    enable_recording(project, "recordings/x.jsonl", process_env={})
    state = disable_recording(project, process_env={})
    assert not state.recording
    _record_from(project)
    assert not (project / "recordings" / "x.jsonl").exists()
    # The file setting stays for the next enable.
    assert "FLUXLOOP_RECORDING_FILE=recordings/x.jsonl" in (project / ".env").read_text()


def test_enable_keeps_comments_and_never_touches_replay(project: Path) -> None:
    env_before = (project / ".env").read_text()
    config_before = (project / "setting.yaml").read_bytes()
    enable_recording(project, None, process_env={})
    env_after = (project / ".env").read_text()
    assert env_after.startswith(env_before)  # every comment and line kept, in order
    assert (project / "setting.yaml").read_bytes() == config_before


def test_enable_twice_replaces_the_lines_rather_than_adding_more(project: Path) -> None:
    enable_recording(project, "a.jsonl", process_env={})
    enable_recording(project, "b.jsonl", process_env={})
    text = (project / ".env").read_text()
    assert text.count("FLUXLOOP_RECORD_ARGS=") == 1
    assert text.count("FLUXLOOP_RECORDING_FILE=b.jsonl") == 1


def test_default_file_is_the_one_replay_reads(project: Path) -> None:
    config = project / "setting.yaml"
    text = config.read_text()
    assert 'recording_file: "recordings/args.jsonl"' in text  # the scaffold's
    config.write_text(text.replace("recordings/args.jsonl", "recordings/replay.jsonl"))
    state = enable_recording(project, None, process_env={})
    assert state.recording_file == project / "recordings" / "replay.jsonl"
    assert state.notes == ()


def test_a_file_replay_does_not_read_is_pointed_out(project: Path) -> None:
    state = enable_recording(project, "elsewhere.jsonl", process_env={})
    assert any("replay_args.recording_file" in note for note in state.notes)


def test_the_shell_wins_over_the_env_file_and_status_says_so(project: Path) -> None:
    enable_recording(project, None, process_env={})
    state = recording_status(project, process_env={"FLUXLOOP_RECORD_ARGS": "0"})
    assert not state.recording
    assert any("unset FLUXLOOP_RECORD_ARGS" in note for note in state.notes)


def test_sdk_switched_off_records_nothing_and_says_why(project: Path) -> None:
    enable_recording(project, None, process_env={})
    state = recording_status(project, process_env={"FLUXLOOP_ENABLED": "false"})
    assert not state.recording
    assert any("FLUXLOOP_ENABLED is false" in note for note in state.notes)


def test_settings_name_their_file_line(project: Path) -> None:
    state = enable_recording(project, None, process_env={})
    lines = (project / ".env").read_text().splitlines()
    for setting in state.settings:
        assert setting.source == "project .env"
        assert setting.line is not None
        assert lines[setting.line - 1].startswith(setting.name + "=")


@pytest.mark.parametrize("value", ["maybe", "2", "yes please"])
def test_a_value_the_sdk_would_refuse_is_a_config_error_at_its_line(
    project: Path, value: str
) -> None:
    with (project / ".env").open("a") as env:
        env.write(f"FLUXLOOP_RECORD_ARGS={value}\n")
    with pytest.raises(ConfigError) as caught:
        recording_status(project, process_env={})
    assert caught.value.file == str(project / ".env")
    assert caught.value.line == len((project / ".env").read_text().splitlines())


@pytest.mark.parametrize("file", ["", "   ", "recordings", "a${HOME}b", "two\nlines"])
def test_unusable_file_arguments_are_refused_and_nothing_is_written(
    project: Path, file: str
) -> None:
    before = (project / ".env").read_text()
    with pytest.raises(UsageError):
        enable_recording(project, file, process_env={})
    assert (project / ".env").read_text() == before
