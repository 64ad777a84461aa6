"""`run experiment` with an evaluation section: every run graded as it finishes, the
gate's exit codes, the reports, `--json`, and `--resume` keeping results.jsonl in step."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from eval_project import fluxloop, write_project

RUN = ("run", "experiment", "--config", "setting.yaml", "--no-collector")


def _lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _experiment(project: Path) -> Path:
    (folder,) = (project / "experiments").iterdir()
    return folder


def test_every_run_is_graded_and_the_gate_holds(tmp_path: Path) -> None:
    write_project(tmp_path)
    result = fluxloop(*RUN, "--fail-under", "0.9", cwd=tmp_path, code=0)
    folder = _experiment(tmp_path)
    traces = _lines(folder / "traces.jsonl")
    verdicts = _lines(folder / "evaluation" / "results.jsonl")
    assert sorted(v["run_id"] for v in verdicts) == sorted(t["run_id"] for t in traces)
    assert len(verdicts) == 4 and all(v["passed"] for v in verdicts)
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["evaluation"]["pass_rate"] == 1.0
    assert summary["evaluation"]["gate"]["passed"] is True
    assert summary["evaluation"]["gate"]["min_pass_rate"] == 0.9  # the flag, recorded
    assert json.loads((folder / "evaluation" / "summary.json").read_text()) == summary["evaluation"]
    assert "pass 100.0%" in result.stderr  # live progress
    assert "gate holds" in result.stdout


def test_a_failing_gate_is_exit_1_with_one_paragraph_and_reports(tmp_path: Path) -> None:
    write_project(tmp_path, bad_word="cannot")  # the second input's answer fails
    step_summary = tmp_path / "step_summary.md"
    step_summary.write_text("# earlier step\n")
    result = fluxloop(
        *RUN,
        "--fail-under",
        "0.9",
        "--report",
        "junit,md",
        "--report",
        "html",
        cwd=tmp_path,
        code=1,
        env={"GITHUB_STEP_SUMMARY": str(step_summary)},
    )
    paragraph = [line for line in result.stderr.splitlines() if line.startswith("Gate failed:")]
    assert len(paragraph) == 1
    assert "50.0%" in paragraph[0] and "90.0%" in paragraph[0] and "Tell me a joke" in paragraph[0]
    folder = _experiment(tmp_path) / "evaluation"
    suite = ET.parse(folder / "junit.xml").getroot()
    cases = suite.iter("testcase")
    failed = [case for case in cases if case.find("failure") is not None]
    assert len(failed) == 1 and "Tell me a joke" in (failed[0].get("name") or "")
    assert (folder / "report.html").read_text().startswith("<!DOCTYPE html>")
    appended = step_summary.read_text()
    assert (
        appended.startswith("# earlier step\n") and (folder / "report.md").read_text() in appended
    )


def test_json_holds_the_evaluation_block(tmp_path: Path) -> None:
    write_project(tmp_path, bad_word="cannot")
    result = fluxloop(*RUN, "--json", cwd=tmp_path, code=1)
    data = json.loads(result.stdout)
    assert data["evaluation"]["passed_runs"] == 2 and data["evaluation"]["graded_runs"] == 4
    assert data["evaluation"]["gate"]["passed"] is False


def test_without_evaluation_nothing_is_graded(tmp_path: Path) -> None:
    write_project(tmp_path, graded=False)
    fluxloop(*RUN, cwd=tmp_path, code=0)
    folder = _experiment(tmp_path)
    assert not (folder / "evaluation").exists()
    assert json.loads((folder / "summary.json").read_text())["evaluation"] is None
    result = fluxloop(*RUN, "--fail-under", "0.5", cwd=tmp_path, code=2)
    assert "--fail-under needs checks" in result.stderr


def test_bad_gate_flags_are_usage_errors(tmp_path: Path) -> None:
    write_project(tmp_path)
    for flags in (["--fail-under", "1.5"], ["--fail-under-per-input", "x"], ["--report", "pdf"]):
        fluxloop(*RUN, *flags, cwd=tmp_path, code=2)
    assert not (tmp_path / "experiments").exists()


def test_resume_grades_what_is_on_disk_once(tmp_path: Path) -> None:
    write_project(tmp_path)
    fluxloop(*RUN, cwd=tmp_path, code=0)
    folder = _experiment(tmp_path)
    traces = folder / "traces.jsonl"
    results = folder / "evaluation" / "results.jsonl"
    # As a hard kill leaves it: two runs lost, a verdict for a lost run, a torn line.
    traces.write_text("".join(traces.read_text().splitlines(keepends=True)[:2]))
    results.write_text(results.read_text() + '{"run_id": "1.1", "torn')
    fluxloop("run", "experiment", "--resume", str(folder), "--no-collector", cwd=tmp_path, code=0)
    run_ids = [line["run_id"] for line in _lines(traces)]
    verdicts = [line["run_id"] for line in _lines(results)]
    assert sorted(verdicts) == sorted(run_ids) and len(set(verdicts)) == 4
