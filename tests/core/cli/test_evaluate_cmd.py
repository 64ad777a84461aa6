"""`fluxloop evaluate experiment` grades a finished experiment again with the current
checks, without calling the agent: the same gate, reports and exit codes as the run."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from eval_project import fluxloop, write_project


def _run(tmp_path: Path, bad_word: str, code: int = 0) -> Path:
    write_project(tmp_path, bad_word=bad_word)
    fluxloop(
        "run", "experiment", "--config", "setting.yaml", "--no-collector", cwd=tmp_path, code=code
    )
    (folder,) = (tmp_path / "experiments").iterdir()
    return folder


def test_regrade_follows_the_changed_checks_without_calling_the_agent(tmp_path: Path) -> None:
    folder = _run(tmp_path, "Traceback")
    traces_before = (folder / "traces.jsonl").read_bytes()
    # The agent is gone: a re-grade must not need it.
    (tmp_path / "agent.py").write_text("raise SystemExit('the agent was called')\n")
    config = write_project(tmp_path, bad_word="cannot")
    (tmp_path / "agent.py").write_text("raise SystemExit('the agent was called')\n")
    result = fluxloop(
        "evaluate",
        "experiment",
        "--config",
        str(config),
        "--report",
        "junit",
        cwd=tmp_path,
        code=1,
    )
    assert "Gate failed:" in result.stderr and "Tell me a joke" in result.stderr
    assert (folder / "traces.jsonl").read_bytes() == traces_before
    verdicts = [json.loads(line) for line in (folder / "evaluation" / "results.jsonl").open()]
    assert len(verdicts) == 4 and sum(v["passed"] for v in verdicts) == 2
    suite = ET.parse(folder / "evaluation" / "junit.xml").getroot()
    assert sum(1 for case in suite.iter("testcase") if case.find("failure") is not None) == 1
    # Checks fixed again: the same folder, named this time, passes.
    write_project(tmp_path, bad_word="Traceback")
    result = fluxloop("evaluate", "experiment", str(folder), "--json", cwd=tmp_path, code=0)
    data = json.loads(result.stdout)
    assert data["passed_runs"] == 4 and data["gate"]["passed"] is True


def test_flags_override_the_config_gate(tmp_path: Path) -> None:
    _run(tmp_path, "cannot", code=1)
    config = tmp_path / "setting.yaml"
    config.write_text(config.read_text() + "  gate:\n    min_input_pass_rate: 0.0\n")
    fluxloop("evaluate", "experiment", cwd=tmp_path, code=0)
    result = fluxloop("evaluate", "experiment", "--fail-under", "0.75", cwd=tmp_path, code=1)
    assert "75.0%" in result.stderr


def test_bad_checks_or_nothing_to_grade_are_exit_2(tmp_path: Path) -> None:
    folder = _run(tmp_path, "Traceback")
    config = tmp_path / "setting.yaml"
    good = config.read_text()
    config.write_text(good.replace("check: not_contains", "check: not_contain"))
    result = fluxloop("evaluate", "experiment", str(folder), cwd=tmp_path, code=2)
    assert f"{config}:" in result.stderr and "did you mean not_contains" in result.stderr
    write_project(tmp_path, graded=False)
    result = fluxloop("evaluate", "experiment", cwd=tmp_path, code=2)
    assert "nothing to grade" in result.stderr
    fluxloop("evaluate", "experiment", str(tmp_path / "nowhere"), cwd=tmp_path, code=2)


def test_no_experiment_yet_is_exit_2(tmp_path: Path) -> None:
    write_project(tmp_path)
    result = fluxloop("evaluate", "experiment", "--config", "setting.yaml", cwd=tmp_path, code=2)
    assert "no experiments" in result.stderr
