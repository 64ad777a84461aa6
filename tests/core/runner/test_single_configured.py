"""``run single`` without a target calls the config's: a runner.command program (both
protocols), a Python target as the run imports it; an http target is refused by name."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

AGENT = Path(__file__).resolve().parents[2] / "command_agents" / "agent.py"

Project = Any  # the `project` fixture of conftest.py


def command_setting(*argv: str, protocol: str = "jsonl") -> str:
    command = json.dumps([sys.executable, str(AGENT), *argv])
    return f"name: one\nrunner:\n  command: {command}\n  protocol: {protocol}\nbase_inputs: [x]\n"


@pytest.mark.parametrize(("protocol", "argv"), [("jsonl", ()), ("per_run", ("--per-run",))])
def test_a_command_target_answers_once(project: Project, protocol: str, argv: tuple[str]) -> None:
    project.write("setting.yaml", command_setting(*argv, protocol=protocol))
    done = project.cli("run", "single", "hello", "--config", "setting.yaml", "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["output"] == "echo: hello" and found["error"] is None

    died = project.cli("run", "single", "die", "--config", "setting.yaml")
    assert died.returncode == 1
    assert "dying on purpose" in died.stderr  # the program's stderr tail
    assert project.experiments() == []


def test_a_python_target_of_the_config_gets_its_environment(project: Project) -> None:
    project.write(
        "src/agent.py", "import os\ndef run(text):\n    return text + os.environ['TAG']\n"
    )
    project.write(
        "setting.yaml",
        "name: one\nrunner:\n  target: agent:run\n  working_directory: src\n"
        "  environment_vars: {TAG: '!'}\nbase_inputs: [x]\n",
    )
    done = project.cli("run", "single", "hi", "--config", "setting.yaml")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "hi!"


@pytest.mark.parametrize(
    ("setting", "args", "words"),
    [
        (
            command_setting().replace(sys.executable, "no-such-program-x"),
            ("hi",),
            "'no-such-program-x' of runner.command is not found",
        ),
        (command_setting(), ("agent:run", "hi"), "a TARGET or the target of --config"),
    ],
    ids=["missing-program", "both"],
)
def test_mistakes_exit_2_saying_why(
    project: Project, setting: str, args: tuple[str, ...], words: str
) -> None:
    project.write("setting.yaml", setting)
    done = project.cli("run", "single", *args, "--config", "setting.yaml")
    assert done.returncode == 2, done.stderr
    assert words in done.stderr and "Traceback" not in done.stderr
