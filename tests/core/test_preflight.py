"""`fluxloop config validate`: schema, target import, recording, inputs, providers — all
problems at once, each with its file and line."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml
from fluxloop_runner import Runner

from fluxloop_core.config.loader import load_config
from fluxloop_core.config.models import RunnerConfig
from fluxloop_core.preflight import validate_project
from fluxloop_core.preflight.target import TargetProblem, check_target_importable

RECORDED = (
    '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
    '"kwargs": {"data": {"content": "hi"}, "custom_callback": "<builtin:collector.send>"}, '
    '"timestamp": "2025-09-30T00:00:00"}\n'
)


def first_problem(runner: RunnerConfig, timeout: float = 30.0) -> TargetProblem | None:
    """The import check's one problem (a target check finds at most one), or None."""
    found = check_target_importable(runner, timeout=timeout)
    assert len(found) <= 1
    return found[0] if found else None


def edit(config: Path, **changes: object) -> None:
    data = yaml.safe_load(config.read_text())
    data.update(changes)
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def test_plain_scaffold_is_valid(plain_project: Path, fluxloop: Runner) -> None:
    result = fluxloop("config", "validate", "--config", "setting.yaml", cwd=plain_project)
    assert result.stdout.startswith("ok: ")
    assert validate_project(plain_project) == []
    report = json.loads(fluxloop("config", "validate", "--json", cwd=plain_project).stdout)
    assert report == {
        "config_file": str(plain_project / "setting.yaml"),
        "ok": True,
        "problems": [],
    }


def test_sdk_scaffold_is_valid_as_written(project: Path, fluxloop: Runner) -> None:
    fluxloop("config", "validate", "--config", "setting.yaml", cwd=project)


def test_every_problem_is_listed_with_its_line(plain_project: Path, fluxloop: Runner) -> None:
    config = plain_project / "setting.yaml"
    recorded = RECORDED.replace(":run", ":missing")
    (plain_project / "recordings" / "args.jsonl").write_text("not json\n" + recorded)
    (plain_project / "inputs" / "bad.yaml").write_text("inputs:\n  - text: no input key\n")
    edit(
        config,
        runner={"target": "examples.simple_agent:missing"},
        replay_args={
            "enabled": True,
            "recording_file": "recordings/args.jsonl",
            "override_param_path": "data.nowhere.deep",
        },
        inputs_file="inputs/bad.yaml",
    )
    result = fluxloop("config", "validate", "--config", "setting.yaml", cwd=plain_project, code=2)
    lines = result.stdout.strip().splitlines()
    text = result.stdout
    assert "runner.target: examples.simple_agent has no attribute 'missing'" in text
    assert f"{plain_project / 'recordings' / 'args.jsonl'}:1: not valid JSON" in text
    assert "Missing callable providers for recorded parameters: custom_callback" in text
    assert "replay_args.override_param_path: path 'data.nowhere.deep' not found" in text
    assert f"{plain_project / 'inputs' / 'bad.yaml'}:" in text
    assert lines[-1] == f"5 problems in {config}"

    as_json = fluxloop("config", "validate", "--json", cwd=plain_project, code=2)
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    kinds = [p["kind"] for p in report["problems"]]
    assert kinds == ["target", "recording", "recording", "recording", "inputs"]
    target = report["problems"][0]
    assert target["file"] == str(config) and target["line"] == 3


def test_missing_module_says_working_directory(tmp_path: Path, fluxloop: Runner) -> None:
    (tmp_path / "bad.yaml").write_text(
        'name: t\nrunner:\n  target: "examples.simple_agent:run"\nbase_inputs: ["x"]\n'
    )
    result = fluxloop("config", "validate", "--config", "bad.yaml", cwd=tmp_path, code=2)
    assert "No module named 'examples'" in result.stdout
    assert "working_directory" in result.stdout
    assert "bad.yaml:3:3: runner.target:" in result.stdout


def test_class_method_targets(tmp_path: Path) -> None:
    (tmp_path / "handler.py").write_text(
        "import sys\n"
        "print('noise on stdout at import')\n"
        "class Handler:\n"
        "    async def handle(self, data): return data\n"
        "    limit = 3\n"
    )
    (tmp_path / "broken.py").write_text("import not_installed_dependency_xyz\n")
    (tmp_path / "raises.py").write_text("raise RuntimeError('boom at import')\n")
    config = tmp_path / "setting.yaml"

    def problem(target: str) -> str | None:
        config.write_text(f'name: t\nrunner:\n  target: "{target}"\nbase_inputs: ["x"]\n')
        found = first_problem(load_config(config).config.runner)
        assert found is None or found.key == "runner.target"
        return found.message if found else None

    assert problem("handler:Handler.handle") is None
    assert problem("handler:Handler.missing") == "handler:Handler has no attribute 'missing'"
    assert problem("handler:Nope.handle") == "handler has no attribute 'Nope'"
    assert problem("handler:Handler.limit") == "handler:Handler.limit is not callable"
    dependency = problem("broken:run")
    assert dependency is not None and "not_installed_dependency_xyz" in dependency
    assert "install it" in dependency
    raised = problem("raises:run")
    assert raised == "importing raises raised RuntimeError: boom at import"
    # The check ran elsewhere: this process never imported the user's module.
    assert "handler" not in sys.modules


def test_python_path_and_working_directory_problems(tmp_path: Path) -> None:
    config = tmp_path / "setting.yaml"
    config.write_text(
        'name: t\nrunner:\n  target: "a:b"\n  working_directory: nowhere\nbase_inputs: ["x"]\n'
    )
    found = first_problem(load_config(config).config.runner)
    assert found is not None and "is not a folder" in found.message
    assert found.key == "runner.working_directory"
    config.write_text(
        'name: t\nrunner:\n  target: "a:b"\n  python_path: /no/such/python\nbase_inputs: ["x"]\n'
    )
    found = first_problem(load_config(config).config.runner)
    assert found is not None and found.key == "runner.python_path"
    assert found.message == "/no/such/python does not exist"


def test_interpreter_problems_are_reported_on_their_own_line(
    tmp_path: Path, fluxloop: Runner
) -> None:
    not_runnable = tmp_path / "python-not-executable"
    not_runnable.write_text("#!/bin/sh\n")
    not_runnable.chmod(0o644)
    for python, line in (("/no/such/python", 4), (str(not_runnable), 4)):
        (tmp_path / "setting.yaml").write_text(
            f'name: t\nrunner:\n  target: "a:b"\n  python_path: {python}\nbase_inputs: ["x"]\n'
        )
        result = fluxloop("config", "validate", cwd=tmp_path, code=2)
        assert f"setting.yaml:{line}:3: runner.python_path: {python}" in result.stdout
        assert "runner.target" not in result.stdout
    (tmp_path / "setting.yaml").write_text(
        'name: t\nrunner:\n  target: "a:b"\n  working_directory: nowhere\nbase_inputs: ["x"]\n'
    )
    result = fluxloop("config", "validate", cwd=tmp_path, code=2)
    assert "setting.yaml:4:3: runner.working_directory:" in result.stdout


def test_recording_for_another_target_and_unknown_builtin(
    plain_project: Path, fluxloop: Runner
) -> None:
    (plain_project / "recordings" / "args.jsonl").write_text(
        RECORDED.replace("examples.simple_agent:run", "other.module:fn")
    )
    edit(
        plain_project / "setting.yaml",
        replay_args={
            "enabled": True,
            "recording_file": "recordings/args.jsonl",
            "callable_providers": {"custom_callback": "builtin:collector.shout"},
        },
    )
    result = fluxloop("config", "validate", cwd=plain_project, code=2)
    assert "no recorded call for runner.target examples.simple_agent:run" in result.stdout
    assert "other.module:fn" in result.stdout
    assert "unknown builtin provider 'builtin:collector.shout'" in result.stdout


def test_replay_recording_missing_and_good(plain_project: Path, fluxloop: Runner) -> None:
    config = plain_project / "setting.yaml"
    replay = {
        "enabled": True,
        "recording_file": "recordings/args.jsonl",
        "override_param_path": "data.content",
        "callable_providers": {"custom_callback": "builtin:collector.send"},
    }
    edit(config, replay_args=replay)
    result = fluxloop("config", "validate", cwd=plain_project, code=2)
    assert "Recording file not found" in result.stdout
    (plain_project / "recordings" / "args.jsonl").write_text(RECORDED)
    fluxloop("config", "validate", cwd=plain_project)


def test_good_inputs_file_and_empty_inputs(plain_project: Path, fluxloop: Runner) -> None:
    config = plain_project / "setting.yaml"
    (plain_project / "inputs" / "generated.yaml").write_text(
        "inputs:\n  - input: hi\n    metadata: {strategy: rephrase}\n"
    )
    edit(config, inputs_file="inputs/generated.yaml")
    fluxloop("config", "validate", cwd=plain_project)
    edit(config, inputs_file=None, base_inputs=[])
    data = yaml.safe_load(config.read_text())
    del data["inputs_file"]
    config.write_text(yaml.safe_dump(data))
    result = fluxloop("config", "validate", cwd=plain_project, code=2)
    assert "no inputs" in result.stdout


def test_threads_started_at_import_do_not_hold_the_check(tmp_path: Path) -> None:
    (tmp_path / "busy.py").write_text(
        "import threading, time\n"
        "threading.Thread(target=time.sleep, args=(600,)).start()\n"
        "def run(text): return text\n"
    )
    config = tmp_path / "setting.yaml"
    config.write_text('name: t\nrunner:\n  target: "busy:run"\nbase_inputs: ["x"]\n')
    runner = load_config(config).config.runner
    assert first_problem(runner, timeout=60) is None
