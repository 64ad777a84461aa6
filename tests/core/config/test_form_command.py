"""config/form.py: runner.command and runner.protocol are edited in the runner section."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.config.form import FIELDS, check_form, form_changes, form_data, parse_value

TEXT = 'name: demo\nrunner:\n  target: "agent:run"\nbase_inputs: ["Hello"]\n'


def test_the_command_keys_are_in_the_runner_section() -> None:
    assert FIELDS["runner.command"].kind == "list"
    assert FIELDS["runner.protocol"].choices == ("jsonl", "per_run")
    # Emptied, the command is removed (its default), never written as an empty list.
    assert parse_value(FIELDS["runner.command"], " ") is None
    assert parse_value(FIELDS["runner.command"], "node, agent.js") == ["node", "agent.js"]


def test_a_python_target_becomes_a_command(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    initial = form_data(TEXT, path).values
    assert (initial["runner.command"], initial["runner.protocol"]) == ("", "")
    current = {
        **initial,
        "runner.command": "node, agent.js",
        "runner.protocol": "per_run",
        "runner.target": "",
    }
    changes = form_changes(initial, current)
    assert changes == {
        "runner.command": ["node", "agent.js"],
        "runner.protocol": "per_run",
        "runner.target": None,
    }
    assert check_form(TEXT, path, changes).ok


def test_a_command_beside_the_target_is_a_problem_on_the_field(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    initial = form_data(TEXT, path).values
    changes = form_changes(initial, {**initial, "runner.command": "node, agent.js"})
    result = check_form(TEXT, path, changes)
    assert not result.ok
    assert "not target and command" in result.by_field["runner.command"]
