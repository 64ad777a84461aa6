"""An agent module that exits or raises KeyboardInterrupt at import is a broken target
(exit 2, the same words as `config validate`), not the end of FluxLoop with its code."""

from __future__ import annotations

from typing import Any

import pytest

Project = Any  # the `project` fixture of conftest.py

SETTING = """
name: exits
runner:
  target: "agent:run"
base_inputs: ["hi"]
{extra}
"""

BODIES = {
    "exit3": ("import sys\nsys.exit(3)\n", "importing agent raised SystemExit: 3"),
    "exit_text": ('raise SystemExit("bye")\n', "importing agent raised SystemExit: bye"),
    "interrupt": ("raise KeyboardInterrupt\n", "importing agent raised KeyboardInterrupt"),
}


@pytest.mark.parametrize("case", sorted(BODIES))
@pytest.mark.parametrize("command", ["run", "single", "validate"])
def test_exit_at_import_is_a_target_error(project: Project, case: str, command: str) -> None:
    body, expected = BODIES[case]
    project.write("agent.py", body + "def run(text):\n    return text\n")
    project.write("setting.yaml", SETTING.format(extra=""))
    args = {
        "run": ("run", "experiment", "--no-collector"),
        "single": ("run", "single", "agent:run", "hi"),
        "validate": ("config", "validate"),
    }[command]
    result = project.cli(*args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert expected in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not project.experiments()


def test_a_provider_module_that_exits_is_a_config_error(project: Project) -> None:
    project.write("agent.py", "def run(data, send):\n    return data\n")
    project.write("provider.py", "import sys\nsys.exit(4)\n")
    project.write(
        "recordings/args.jsonl",
        '{"_version": "1", "iteration": 0, "target": "agent:run", "kwargs": '
        '{"data": "x", "send": "<callable:send>"}, "timestamp": "2026-01-01T00:00:00"}\n',
    )
    project.write(
        "setting.yaml",
        SETTING.format(
            extra="replay_args:\n  enabled: true\n  recording_file: recordings/args.jsonl\n"
            "  override_param_path: data\n  callable_providers:\n    send: provider:send\n"
        ),
    )
    result = project.cli("run", "experiment", "--no-collector")
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "importing provider raised SystemExit: 4" in result.stderr
