"""FLUXLOOP_* values the SDK would refuse: named with where they were set, by `run
experiment`, `run single`, `status check` and `config env` (exit 2, no traceback)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from fluxloop.config import environment_problems

from fluxloop_core.config.env import KNOWN_VARIABLES, LayeredEnv, load_layered_env
from fluxloop_core.config.loader import load_config
from fluxloop_core.config.sdk_env import run_variable_problems, sdk_variable_problems

BAD = {
    "FLUXLOOP_ENABLED": ["maybe", "2"],
    "FLUXLOOP_DEBUG": ["sometimes"],
    "FLUXLOOP_RECORD_ARGS": ["y e s"],
    "FLUXLOOP_SAMPLE_RATE": ["abc", "1.5", "-0.1", ""],
    "FLUXLOOP_BATCH_SIZE": ["0", "-3", "1.5", "ten"],
    "FLUXLOOP_FLUSH_INTERVAL": ["0", "-1", "soon"],
    "FLUXLOOP_USE_COLLECTOR": ["perhaps"],
    "FLUXLOOP_COLLECTOR_FORMAT": ["otlp"],
    "FLUXLOOP_MAX_QUEUE_SIZE": ["0", "many"],
    "FLUXLOOP_TIMEOUT": ["0", "-2", "later"],
    "FLUXLOOP_OFFLINE_ENABLED": ["maybe"],
}
TEXT = {
    "FLUXLOOP_COLLECTOR_URL",
    "FLUXLOOP_API_KEY",
    "FLUXLOOP_RECORDING_FILE",
    "FLUXLOOP_SERVICE_NAME",
    "FLUXLOOP_ENVIRONMENT",
    "FLUXLOOP_OFFLINE_DIR",
}
CASES = [(name, value) for name, values in BAD.items() for value in values]

SETTING = 'name: demo\nrunner:\n  target: "agent:run"\nbase_inputs: ["hi"]\n'


def test_every_sdk_variable_is_checked_or_text() -> None:
    for variable in KNOWN_VARIABLES:
        if variable.name.startswith("FLUXLOOP_") and variable.name != "FLUXLOOP_LLM_API_KEY":
            refused = environment_problems({variable.name: "not a value"})
            assert bool(refused) == (variable.name not in TEXT), variable.name
            assert variable.name in BAD or variable.name in TEXT


@pytest.mark.parametrize(("name", "value"), CASES)
def test_a_value_from_the_process_says_so(name: str, value: str) -> None:
    env = LayeredEnv(variables={name: value}, sources={name: "process"})
    (error,) = sdk_variable_problems(env)
    assert error.render().startswith(f"{name}={value!r} is invalid")
    assert "(set in the environment)" in error.render() and f"unset {name}" in error.render()


@pytest.mark.parametrize(("name", "value"), CASES)
def test_a_value_from_a_dotenv_file_names_its_line(tmp_path: Path, name: str, value: str) -> None:
    (tmp_path / ".env").write_text(f"# comment\nOTHER=1\n{name}=fine\n{name}={value}\n")
    env = load_layered_env(tmp_path, process_env={})
    (error,) = sdk_variable_problems(env)
    assert error.render().startswith(f"{tmp_path / '.env'}:4: {name}: {value!r} is invalid")


def test_a_value_from_environment_vars_points_at_setting_yaml(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    path.write_text(
        SETTING.replace("runner:\n", "runner:\n  environment_vars:\n    FLUXLOOP_BATCH_SIZE: 0\n")
    )
    (error,) = run_variable_problems(load_config(path, env=LayeredEnv()))
    assert error.render().startswith(
        f"{path}:4:5: runner.environment_vars.FLUXLOOP_BATCH_SIZE: '0' is invalid"
    )


def test_environment_vars_win_over_a_bad_dotenv_value(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("FLUXLOOP_ENABLED=maybe\n")
    path = tmp_path / "setting.yaml"
    path.write_text(
        SETTING.replace("runner:\n", "runner:\n  environment_vars:\n    FLUXLOOP_ENABLED: true\n")
    )
    assert (
        run_variable_problems(load_config(path, env=load_layered_env(tmp_path, process_env={})))
        == []
    )


def cli(cwd: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.mark.parametrize("where", ["process", "dotenv"])
def test_every_command_fails_on_a_bad_value(tmp_path: Path, where: str) -> None:
    (tmp_path / "setting.yaml").write_text(SETTING)
    (tmp_path / "agent.py").write_text("def run(text):\n    return text\n")
    extra = {"FLUXLOOP_SAMPLE_RATE": "abc"} if where == "process" else {}
    if where == "dotenv":
        (tmp_path / ".env").write_text("FLUXLOOP_SAMPLE_RATE=abc\n")
    expected = "(set in the environment)" if where == "process" else ".env:1: FLUXLOOP_SAMPLE_RATE"
    ran = cli(tmp_path, "run", "experiment", "--no-collector", **extra)
    assert ran.returncode == 2 and expected in ran.stderr, ran.stderr
    assert not (tmp_path / "experiments").exists()
    checked = cli(tmp_path, "status", "check", **extra)
    assert checked.returncode == 2 and checked.stdout.startswith("fail  config")
    assert expected in checked.stdout
    shown = cli(tmp_path, "config", "env", **extra)
    assert shown.returncode == 2 and "fail  " in shown.stdout and expected in shown.stdout
    if where == "process":
        single = cli(tmp_path, "run", "single", "agent:run", "hi", **extra)
        assert single.returncode == 2 and expected in single.stderr
