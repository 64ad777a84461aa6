"""`status experiments` shows each experiment's pass rate and gate; `status traces
--failed` lists the runs that failed a check with the check's reason."""

from __future__ import annotations

import json
from pathlib import Path

from eval_project import fluxloop, write_project


def test_status_shows_pass_rate_gate_and_failed_checks(tmp_path: Path) -> None:
    write_project(tmp_path, bad_word="cannot")
    fluxloop(
        "run", "experiment", "--config", "setting.yaml", "--no-collector", cwd=tmp_path, code=1
    )
    listing = fluxloop("status", "experiments", "--project", ".", cwd=tmp_path, code=0).stdout
    header, row = listing.splitlines()[:2]
    assert "PASS" in header and "GATE" in header
    assert "50.0%" in row and "fails" in row
    failed = fluxloop("status", "traces", "--failed", "--project", ".", cwd=tmp_path, code=0)
    assert "(2 failed runs)" in failed.stdout
    assert failed.stdout.count("not_contains: output contains 'cannot'") == 2
    data = json.loads(
        fluxloop(
            "status", "traces", "--failed", "--json", "--project", ".", cwd=tmp_path, code=0
        ).stdout
    )
    assert {run["run_id"] for run in data} == {"1.0", "1.1"}
    assert all(run["failed_checks"] for run in data)
    # Graded again with a check every answer passes: nothing fails any more.
    write_project(tmp_path, bad_word="Traceback")
    fluxloop("evaluate", "experiment", "--quiet", cwd=tmp_path, code=0)
    listing = fluxloop("status", "experiments", "--project", ".", cwd=tmp_path, code=0).stdout
    assert "100.0%  holds" in listing.splitlines()[1].replace("100.0%   ", "")
    failed = fluxloop("status", "traces", "--failed", "--project", ".", cwd=tmp_path, code=0)
    assert "(0 failed runs)" in failed.stdout


def test_an_experiment_without_evaluation_shows_dashes(tmp_path: Path) -> None:
    write_project(tmp_path, graded=False)
    fluxloop(
        "run", "experiment", "--config", "setting.yaml", "--no-collector", cwd=tmp_path, code=0
    )
    row = fluxloop("status", "experiments", "--project", ".", cwd=tmp_path, code=0)
    assert row.stdout.splitlines()[1].split()[-2:] == ["-", "-"]
