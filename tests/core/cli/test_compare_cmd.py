"""`fluxloop compare`: two experiment folders (or names, or the latest two), the verdict,
the reports, the exit codes — and every way the arguments can be wrong."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from xml.etree import ElementTree as ET

from compare_helpers import write_experiment
from eval_project import fluxloop

LEGACY = (
    Path(__file__).resolve().parents[2]
    / "fixtures/compat/fluxloop/demo-agent/experiments/exp_20261201_231231"
)
SAME = {"What is my balance?": [True] * 10, "Tell me a joke": [True, False] * 5}
WORSE = {"What is my balance?": [True] * 5 + [False] * 5, "Tell me a joke": [True, False] * 5}


def test_an_unchanged_pair_exits_0_even_with_fail_on_regression(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "base", SAME)
    cand = write_experiment(tmp_path / "cand", SAME)
    result = fluxloop("compare", str(base), str(cand), "--fail-on-regression", cwd=tmp_path, code=0)
    assert "0 regressed" in result.stdout and "unchanged" in result.stdout
    assert result.stderr == ""


def test_a_regression_names_the_input_and_fails_only_when_asked(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "base", SAME)
    cand = write_experiment(tmp_path / "cand", WORSE)
    shown = fluxloop("compare", str(base), str(cand), cwd=tmp_path, code=0)
    first_row = shown.stdout.splitlines()[3]
    assert first_row.startswith("What is my balance?") and first_row.endswith("regressed")
    failed = fluxloop("compare", str(base), str(cand), "--fail-on-regression", cwd=tmp_path, code=1)
    # Holm over two inputs doubles the smaller p: 2 × C(15,5)/C(20,10).
    assert "1 input(s) regressed: 'What is my balance?' 10/10 → 5/10 (p = 0.0325)" in failed.stderr


def test_json_lists_inputs_regressions_first(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "base", SAME, evaluated=True)
    cand = write_experiment(tmp_path / "cand", WORSE, evaluated=True)
    data = json.loads(
        fluxloop("compare", str(base), str(cand), "--json", cwd=tmp_path, code=0).stdout
    )
    assert data["outcome"] == "verdict" and data["regression"] is True
    assert data["counts"]["regressed"] == 1
    first = data["inputs"][0]
    assert first["input"] == "What is my balance?" and first["state"] == "regressed"
    assert first["before"] == {"passed": 10, "counted": 10, "runs": 10}
    assert round(first["p_worse_unadjusted"], 4) == 0.0163
    assert round(first["p_worse"], 4) == 0.0325


def test_reports_land_in_the_candidate_and_the_step_summary(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "base", SAME)
    cand = write_experiment(tmp_path / "cand", WORSE)
    step_summary = tmp_path / "step.md"
    result = fluxloop(
        "compare",
        str(base),
        str(cand),
        "--report",
        "md,html",
        "--report",
        "junit",
        cwd=tmp_path,
        env={"GITHUB_STEP_SUMMARY": str(step_summary)},
        code=0,
    )
    for name in ("compare.md", "compare.html", "compare-junit.xml"):
        assert f"Report: {cand / name}" in result.stdout
    suite = ET.parse(cand / "compare-junit.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("tests") == "2" and suite.get("failures") == "1"
    failing = [case for case in suite.iter("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failing] == ["What is my balance?"]
    assert "## FluxLoop comparison: base → cand" in step_summary.read_text()
    html = (cand / "compare.html").read_text()
    assert "<script" not in html and "http" not in html.split("</title>")[1]


def test_names_and_no_arguments_use_the_projects_experiments(plain_project: Path) -> None:
    experiments = plain_project / "experiments"
    write_experiment(experiments / "run_20260101_000000", SAME)
    write_experiment(experiments / "run_20260102_000000", WORSE)
    latest = fluxloop("compare", "--json", cwd=plain_project, code=0)
    data = json.loads(latest.stdout)
    assert Path(data["base"]).name == "run_20260101_000000"
    assert Path(data["candidate"]).name == "run_20260102_000000"
    named = fluxloop(
        "compare",
        "run_20260102_000000",
        "run_20260101_000000",
        "--project",
        str(plain_project),
        "--json",
        cwd=plain_project.parent,
        code=0,
    )
    assert json.loads(named.stdout)["counts"]["improved"] == 1


def test_a_torn_trace_line_and_a_legacy_folder_compare(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "base", SAME)
    cand = write_experiment(tmp_path / "cand", SAME)
    with open(cand / "traces.jsonl", "a") as handle:
        handle.write('{"run_id": "9.9", "input_index": 9, "inp')
    fluxloop("compare", str(base), str(cand), "--fail-on-regression", cwd=tmp_path, code=0)
    old = shutil.copytree(LEGACY, tmp_path / "exp_old")
    new = shutil.copytree(LEGACY, tmp_path / "exp_new")
    result = fluxloop("compare", str(old), str(new), "--fail-on-regression", cwd=tmp_path, code=0)
    assert "3 unchanged" in result.stdout


def test_wrong_arguments_exit_2_with_one_paragraph(tmp_path: Path, plain_project: Path) -> None:
    base = write_experiment(tmp_path / "base", SAME)
    (tmp_path / "empty").mkdir()
    cases = {
        ("compare", str(base), str(tmp_path / "nowhere")): "no such folder",
        ("compare", str(base), str(tmp_path / "empty")): "not an experiment folder",
        ("compare", str(base), str(base)): "BASE and CAND are the same experiment",
        ("compare", str(base)): "expected BASE and CAND (or nothing), got 1",
        ("compare", str(base), "no_such_name", "--project", str(plain_project)): (
            "no experiment named 'no_such_name'"
        ),
        ("compare", "--project", str(plain_project)): "no experiment in",
        ("compare", str(base), str(base), "--alpha", "2"): "between 0 and 1",
    }
    for args, message in cases.items():
        result = fluxloop(*args, cwd=tmp_path, code=2)
        assert message in result.stderr, (args, result.stderr)
        assert result.stderr.count("error") == 1, result.stderr
