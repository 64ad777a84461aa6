"""`run experiment --baseline DIR` (the CI step: run, compare, gate on regressions) and
`run experiment --rerun-failing DIR`, with a real agent changed between the runs."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

from eval_project import fluxloop, write_project

RUN = ("run", "experiment", "--config", "setting.yaml", "--no-collector")
BROKEN_AGENT = """
def run(text):
    if "balance" in text:
        raise RuntimeError("the balance service moved")
    return "I cannot help with that"
"""


def _folders(project: Path) -> list[Path]:
    return sorted((project / "experiments").iterdir())


def test_the_ci_step_fails_on_the_regressed_input(tmp_path: Path) -> None:
    write_project(tmp_path, graded=False)
    fluxloop(*RUN, "--iterations", "10", cwd=tmp_path, code=0)
    (baseline,) = _folders(tmp_path)
    # The agent changes: one input now fails every time.
    (tmp_path / "agent.py").write_text(BROKEN_AGENT)
    step = (*RUN, "--iterations", "10", "--min-success-rate", "0", "--baseline", str(baseline))
    informed = fluxloop(*step, cwd=tmp_path, code=0)  # without the flag: reported only
    assert "1 regressed" in informed.stdout
    gated = fluxloop(*step, "--fail-on-regression", "--report", "md,junit", cwd=tmp_path, code=1)
    assert "regressed: 'What is my balance?' 10/10 → 0/10" in gated.stderr
    candidate = _folders(tmp_path)[-1]
    report = (candidate / "compare.md").read_text()
    row = next(line for line in report.splitlines() if "What is my balance?" in line)
    assert "| 10/10 | 0/10 |" in row and "regressed" in row
    suite = ET.parse(candidate / "compare-junit.xml").getroot()
    failing = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failing == ["What is my balance?"]


def test_baseline_comparison_is_in_the_json_and_a_bad_baseline_stops_before_running(
    tmp_path: Path,
) -> None:
    write_project(tmp_path, graded=False)
    fluxloop(*RUN, cwd=tmp_path, code=0)
    (baseline,) = _folders(tmp_path)
    result = fluxloop(*RUN, "--baseline", str(baseline), "--json", cwd=tmp_path, code=0)
    data = json.loads(result.stdout)
    assert data["comparison"]["base"] == str(baseline)
    assert data["comparison"]["counts"]["unchanged"] == 2
    refused = fluxloop(*RUN, "--baseline", str(tmp_path / "nowhere"), cwd=tmp_path, code=2)
    assert "no such folder" in refused.stderr
    assert len(_folders(tmp_path)) == 2  # nothing ran


def test_rerun_failing_runs_only_failing_inputs_with_their_iterations(tmp_path: Path) -> None:
    # not_contains "cannot": the joke fails its checks, the balance question passes.
    write_project(tmp_path, bad_word="cannot")
    fluxloop(*RUN, "--iterations", "3", cwd=tmp_path, code=1)
    (first,) = _folders(tmp_path)
    fluxloop(*RUN, "--rerun-failing", str(first), cwd=tmp_path, code=1)
    rerun = _folders(tmp_path)[-1]
    traces = [json.loads(line) for line in (rerun / "traces.jsonl").read_text().splitlines()]
    # Only the joke (index 1 keeps its index), three iterations like the experiment rerun.
    assert sorted(t["run_id"] for t in traces) == ["1.0", "1.1", "1.2"]
    assert {t["input"] for t in traces} == {"Tell me a joke"}
    summary = json.loads((rerun / "summary.json").read_text())
    assert (summary["inputs_count"], summary["planned_runs"]) == (1, 3)
    assert summary["selected_inputs"] == [1]
    assert summary["interrupted"] is False
    fluxloop(*RUN, "--rerun-failing", str(first), "--iterations", "1", cwd=tmp_path, code=1)
    latest = _folders(tmp_path)[-1]
    assert len((latest / "traces.jsonl").read_text().splitlines()) == 1


def test_rerun_failing_with_nothing_failed_and_with_resume(tmp_path: Path) -> None:
    write_project(tmp_path)
    fluxloop(*RUN, cwd=tmp_path, code=0)
    (first,) = _folders(tmp_path)
    result = fluxloop(*RUN, "--rerun-failing", str(first), cwd=tmp_path, code=0)
    assert "Nothing to run again" in result.stdout
    assert _folders(tmp_path) == [first]
    both = fluxloop(
        *RUN, "--rerun-failing", str(first), "--resume", str(first), cwd=tmp_path, code=2
    )
    assert "--rerun-failing starts a new experiment" in both.stderr
    missing = fluxloop(*RUN, "--rerun-failing", str(tmp_path / "gone"), cwd=tmp_path, code=2)
    assert "no such folder" in missing.stderr
