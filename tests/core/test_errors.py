"""The operating system refusing a path or a value: exit 2 naming the path or key and the
fix, from every command that meets it; never a traceback."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest
from fluxloop_runner import Runner

from fluxloop_core.errors import FileSystemError, from_os_error

LONG = "x" * 300  # longer than NAME_MAX (255) on every common file system


def one_paragraph(result: subprocess.CompletedProcess[str]) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("/proc", "/proc/fluxloop"),  # a kernel folder that holds no new folders
        ("a_file/sub", "a_file"),
        (f"deep/{LONG}", "File name too long"),
    ],
)
def test_init_project_in_a_place_that_cannot_hold_it(
    tmp_path: Path, fluxloop: Runner, where: str, expected: str
) -> None:
    (tmp_path / "a_file").write_text("")
    result = fluxloop("init", "project", "--name", "p", "--path", where, cwd=tmp_path, code=2)
    assert expected in one_paragraph(result)


@pytest.mark.parametrize(
    "args",
    [
        ("config", "show", "--config", f"{LONG}.yaml"),
        ("config", "validate", "--config", f"{LONG}/setting.yaml"),
        ("run", "experiment", "--config", f"{LONG}.yaml"),
        ("status", "check", "--config", f"{LONG}.yaml"),
    ],
    ids=["show", "validate", "run", "check"],
)
def test_a_config_path_too_long(tmp_path: Path, fluxloop: Runner, args: tuple[str, ...]) -> None:
    result = fluxloop(*args, cwd=tmp_path, code=2)
    assert LONG in result.stderr + result.stdout
    assert "File name too long" in result.stderr + result.stdout


@pytest.mark.parametrize("output", ["a_folder", f"{LONG}.yaml", "a_file/inputs.yaml"])
def test_generate_output_that_cannot_be_written(
    plain_project: Path, fluxloop: Runner, output: str
) -> None:
    (plain_project / "a_folder").mkdir()
    (plain_project / "a_file").write_text("")
    result = fluxloop(
        "generate", "inputs", "--limit", "1", "--output", output, cwd=plain_project, code=2
    )
    message = one_paragraph(result)
    assert str(plain_project / output.partition("/")[0]) in message
    assert list((plain_project / "a_folder").iterdir()) == []
    assert not [p for p in plain_project.iterdir() if p.name.endswith(".tmp")]


def test_an_experiment_name_too_long(plain_project: Path, fluxloop: Runner) -> None:
    config = plain_project / "setting.yaml"
    config.write_text(config.read_text().replace('name: "my-agent"', f'name: "{LONG}"'))
    result = fluxloop("run", "experiment", "--no-collector", cwd=plain_project, code=2)
    # Refused at the name's line before anything is made (it used to be the OS's
    # "File name too long" from making the folder): `config validate` says the same.
    message = one_paragraph(result)
    assert "setting.yaml:" in message and "name: too long for a folder name" in message
    assert "at most 234 bytes, not 300" in message
    assert not list(plain_project.glob("**/xxx*"))


@pytest.mark.parametrize("kind", ["not_a_program", "a_folder", "no_permission"])
def test_a_python_path_that_cannot_run(plain_project: Path, fluxloop: Runner, kind: str) -> None:
    target = plain_project / kind
    if kind == "a_folder":
        target.mkdir()
    else:
        target.write_bytes(b"\x7fELF garbage" if kind == "not_a_program" else b"#!/bin/sh\n")
        target.chmod(0o755 if kind == "not_a_program" else 0o644)
    config = plain_project / "setting.yaml"
    config.write_text(
        config.read_text().replace(
            "  timeout_seconds: 300\n", f"  timeout_seconds: 300\n  python_path: ./{kind}\n"
        )
    )
    for args, stream in (
        (("run", "experiment", "--no-collector"), "stderr"),
        (("config", "validate"), "stdout"),
        (("status", "check"), "stdout"),
    ):
        result = fluxloop(*args, cwd=plain_project, code=2)
        text = getattr(result, stream)
        assert f"runner.python_path: ./{kind} cannot be run" in text, text
        assert "Python interpreter" in text


RUNNER = 'runner:\n  target: "agent:run"\n'
ENV = RUNNER + "  environment_vars:\n"
# A NUL byte in an input is a fair test of the agent, and stays allowed.
INPUTS = 'base_inputs: ["hi\\0 there"]\n'


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('name: "a\\0b"\n' + RUNNER, "name"),
        ("name: d\n" + RUNNER + '  working_directory: "wd\\0"\n', "runner.working_directory"),
        ("name: d\n" + ENV + '    X: "v\\0"\n', "runner.environment_vars.X"),
        ("name: d\n" + ENV + '    "X\\0": v\n', "runner.environment_vars.X"),
        ("name: d\n" + RUNNER + 'output_directory: "out\\0"\n', "output_directory"),
        ("name: d\n" + ENV + '    "A=B": v\n', "runner.environment_vars"),
        ("name: d\n" + ENV + '    "": v\n', "runner.environment_vars"),
    ],
    ids=["name", "working_directory", "env_value", "env_name", "output", "env_equals", "env_empty"],
)
def test_values_the_os_cannot_hold(tmp_path: Path, fluxloop: Runner, text: str, key: str) -> None:
    (tmp_path / "setting.yaml").write_text(text + INPUTS)
    (tmp_path / "agent.py").write_text("def run(text):\n    return text\n")
    for args in (("run", "experiment", "--no-collector"), ("config", "show")):
        message = one_paragraph(fluxloop(*args, cwd=tmp_path, code=2))
        assert "setting.yaml:" in message and f" {key}" in message, message
    assert not (tmp_path / "experiments").exists()


def test_a_nul_byte_in_an_input_still_runs(tmp_path: Path, fluxloop: Runner) -> None:
    (tmp_path / "setting.yaml").write_text("name: d\n" + RUNNER + INPUTS)
    (tmp_path / "agent.py").write_text("def run(text):\n    return len(text)\n")
    fluxloop("run", "experiment", "--no-collector", cwd=tmp_path)


def test_only_os_errors_with_a_path_are_the_users() -> None:
    located = from_os_error(OSError(errno.ENAMETOOLONG, "File name too long", "/x/" + LONG))
    assert isinstance(located, FileSystemError) and located.file == "/x/" + LONG
    assert located.hint is not None and "shorter" in located.hint
    assert from_os_error(OSError(errno.EIO, "Input/output error")) is None


@pytest.mark.parametrize("special", ["/dev/zero", "fifo"])
def test_a_device_or_pipe_is_refused_not_read_forever(
    plain_project: Path, fluxloop: Runner, special: str
) -> None:
    if special == "fifo":
        os.mkfifo(plain_project / "fifo")
        special = str(plain_project / "fifo")
    result = fluxloop("config", "show", "--config", special, cwd=plain_project, code=2)
    assert "is not a regular file" in one_paragraph(result)
    result = fluxloop("generate", "inputs", "--from-recording", special, cwd=plain_project, code=2)
    assert "is not a regular file" in one_paragraph(result)


@pytest.mark.parametrize("where", ["project", "workspace"])
def test_a_nul_byte_in_a_dotenv_file_names_its_line(
    plain_project: Path, fluxloop: Runner, where: str
) -> None:
    env_file = plain_project / ".env" if where == "project" else plain_project.parent / ".env"
    env_file.write_bytes(b"# keys\nOK=1\nBAD=a\x00b\n")
    for args in (("run", "experiment", "--no-collector"), ("config", "env")):
        message = one_paragraph(fluxloop(*args, cwd=plain_project, code=2))
        assert f"{env_file}:3: holds a NUL byte" in message
    checked = fluxloop("status", "check", cwd=plain_project, code=2)
    assert f"{env_file}:3: holds a NUL byte" in checked.stdout
