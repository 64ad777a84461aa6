"""The pytest plugin, run as a user would: pytest on a generated project's tests/."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fluxloop_runner import Runner

FAILING_AGENT = (
    "def run(input_text):\n"
    "    if 'world' in input_text:\n"
    "        raise ValueError('no worlds here')\n"
    "    return input_text\n"
)
CHECKS = '\nevaluation:\n  checks:\n    - check: contains\n      keywords: ["zebra"]\n'


def _pytest(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "-p",
            "no:cacheprovider",
            "tests",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_template_passes_on_a_fresh_project(plain_project: Path, fluxloop: Runner) -> None:
    out = fluxloop("init", "pytest-template", cwd=plain_project).stdout
    assert out.startswith("Created tests/test_agent_fluxloop.py")
    result = _pytest(plain_project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed, 1 skipped" in result.stdout
    # Results went to pytest's temporary folder, not the project's experiments/.
    assert not any((plain_project / "experiments").iterdir())


def test_failing_runs_and_a_failing_gate_fail_with_their_reasons(
    plain_project: Path, fluxloop: Runner
) -> None:
    fluxloop("init", "pytest-template", cwd=plain_project)
    (plain_project / "examples" / "simple_agent.py").write_text(FAILING_AGENT)
    config = plain_project / "setting.yaml"
    config.write_text(config.read_text() + CHECKS)
    result = _pytest(plain_project)
    assert result.returncode == 1
    assert "run 0.0 ('Hello world'): ValueError: no worlds here" in result.stdout
    assert "gate fails: 3 of 3 inputs pass on no iteration" in result.stdout
    assert "ExperimentOutcome(/" in result.stdout  # a short repr, not the whole summary
    assert "2 failed" in result.stdout


def test_a_broken_config_fails_with_its_paragraph_not_a_traceback(
    plain_project: Path, fluxloop: Runner
) -> None:
    fluxloop("init", "pytest-template", cwd=plain_project)
    config = plain_project / "setting.yaml"
    config.write_text(config.read_text().replace("iterations: 3", "iterations: lots"))
    result = _pytest(plain_project)
    assert result.returncode == 1
    assert "setting.yaml:" in result.stdout and "iterations" in result.stdout
    assert "run_project_experiment" not in result.stdout  # pytrace=False: no plugin frames


def test_an_existing_test_file_is_kept_unless_forced(plain_project: Path, fluxloop: Runner) -> None:
    fluxloop("init", "pytest-template", cwd=plain_project)
    target = plain_project / "tests" / "test_agent_fluxloop.py"
    target.write_text("# mine\n")
    assert "already exists" in fluxloop("init", "pytest-template", cwd=plain_project, code=2).stderr
    assert target.read_text() == "# mine\n"
    fluxloop("init", "pytest-template", "--force", cwd=plain_project)
    assert "fluxloop_experiment" in target.read_text()


def test_a_0_2_project_gets_a_test_of_its_configs(legacy_project: Path, fluxloop: Runner) -> None:
    fluxloop("init", "pytest-template", cwd=legacy_project)
    text = (legacy_project / "tests" / "test_agent_fluxloop.py").read_text()
    assert '"configs/simulation.yaml"' in text
