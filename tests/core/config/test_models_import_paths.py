"""``python_path`` as a list (fluxloop-cli 0.2.x) means extra import paths; as a string, the
interpreter the agent runs in."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from legacy_helpers import run_cli

from fluxloop_core.config.loader import config_text_problems, load_config
from fluxloop_core.preflight import validate_project

AGENT = "from helper import shout\n\ndef run(input_text):\n    return shout(input_text)\n"


def _config(tmp_path: Path, runner_extra: str) -> Path:
    (tmp_path / "agent.py").write_text(AGENT)
    for name in ("vendor", "more"):
        (tmp_path / name).mkdir()
    (tmp_path / "vendor" / "helper.py").write_text("def shout(text):\n    return text.upper()\n")
    path = tmp_path / "setting.yaml"
    path.write_text(
        "name: t\nrunner:\n  target: agent:run\n"
        + runner_extra
        + "base_inputs: [hello]\noutput_directory: out\n"
    )
    return path


def test_a_list_is_import_paths_resolved_from_the_config_folder(tmp_path: Path) -> None:
    path = _config(tmp_path, "  python_path:\n    - vendor\n    - more\n")
    runner = load_config(path).config.runner
    assert runner.python_path is None
    assert runner.import_paths == [tmp_path / "vendor", tmp_path / "more"]


def test_a_string_is_still_the_interpreter(tmp_path: Path) -> None:
    path = _config(tmp_path, f"  python_path: {sys.executable}\n")
    runner = load_config(path).config.runner
    assert runner.python_path == sys.executable and runner.import_paths == []


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ("  python_path: [vendor]\n  import_paths: [more]\n", "give import_paths only"),
        ("  python_path: [1]\n", "import_paths"),
        ("  import_paths: vendor\n", "import_paths"),
    ],
)
def test_mistakes_name_the_key(tmp_path: Path, extra: str, needle: str) -> None:
    path = _config(tmp_path, extra)
    problems = config_text_problems(path.read_text(), path)
    assert problems and needle in problems[0].render()


@pytest.mark.parametrize("interpreter", [False, True])
def test_the_runs_import_from_them(tmp_path: Path, interpreter: bool) -> None:
    extra = "  python_path: [vendor]\n"
    if interpreter:  # worker processes of another interpreter see them too (PYTHONPATH)
        extra = f"  python_path: {sys.executable}\n  import_paths: [vendor]\n"
    path = _config(tmp_path, extra)
    run_cli("run", "experiment", "--config", str(path), "--no-collector", cwd=tmp_path)
    (folder,) = (tmp_path / "out").iterdir()
    (line,) = (folder / "traces.jsonl").read_text().splitlines()
    assert json.loads(line)["output"] == "HELLO"


@pytest.mark.parametrize("interpreter", [False, True])
def test_the_import_check_sees_them(tmp_path: Path, interpreter: bool) -> None:
    extra = "  python_path: [vendor]\n"
    if interpreter:
        extra = f"  python_path: {sys.executable}\n  import_paths: [vendor]\n"
    path = _config(tmp_path, extra)
    assert validate_project(path) == []
    # and without them the agent's own import fails there, so the check is real
    path.write_text(path.read_text().replace(extra, ""))
    assert [p.kind for p in validate_project(path)] == ["target"]
