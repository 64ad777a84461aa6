"""Can the chosen executor run the config? Ray's missing extra, python_path, import_paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import UserError
from fluxloop_core.preflight import loaded_problems, positions_of
from fluxloop_core.preflight.executor import executor_problems
from fluxloop_core.runner.experiment import RunOptions, prepare_experiment

SETTING = 'name: x\nrunner:\n  target: "agent:run"\n{extra}base_inputs: ["a"]\n'


def project(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "agent.py").write_text("def run(text):\n    return text\n")
    config = tmp_path / "setting.yaml"
    config.write_text(SETTING.format(extra=extra))
    return config


WITHOUT_RAY = """
import sys
sys.modules["ray"] = None  # as if the [ray] extra were not installed
from fluxloop_core.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("where", ["config", "flag"])
def test_ray_without_the_extra_is_exit_2_with_the_install_command(
    tmp_path: Path, where: str
) -> None:
    config = project(tmp_path, "  executor: ray\n" if where == "config" else "")
    flag = ["--executor", "ray"] if where == "flag" else []

    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_RAY, "run", "experiment", "--config", str(config), *flag],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )

    assert result.returncode == 2, result.stderr
    assert "executor ray needs Ray, which is not installed" in result.stderr
    assert 'pip install "fluxloop-workbench[ray]"' in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "experiments").exists()


def test_python_path_with_ray_says_why(tmp_path: Path) -> None:
    loaded = load_config(project(tmp_path, f'  executor: ray\n  python_path: "{sys.executable}"\n'))

    problems = executor_problems(loaded, positions_of(loaded))

    located = [p for p in problems if p.key == "runner.python_path"]
    assert len(located) == 1
    assert "Ray workers run the Python of the cluster's nodes" in located[0].message
    assert located[0].line == 5
    assert located[0] in loaded_problems(loaded)  # config validate reports it too


def test_the_flag_is_held_to_the_same_rules(tmp_path: Path) -> None:
    loaded = load_config(project(tmp_path, "  import_paths: [lib]\n"))
    (tmp_path / "lib").mkdir()

    assert executor_problems(loaded, positions_of(loaded)) == []
    problems = executor_problems(loaded, positions_of(loaded), "ray")
    assert [p.key for p in problems if p.key != "runner.executor"] == ["runner.import_paths"]
    with pytest.raises(UserError, match=r"import_paths|not installed"):
        prepare_experiment(loaded, RunOptions(executor="ray"))
