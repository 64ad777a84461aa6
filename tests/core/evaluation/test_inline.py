"""Evaluation as runs finish, and picking up again on resume."""

from __future__ import annotations

import json
from pathlib import Path

from eval_helpers import record

from fluxloop_core.evaluation.files import RESULTS_FILE, SUMMARY_FILE, evaluation_dir, iter_verdicts
from fluxloop_core.evaluation.inline import InlineEvaluation
from fluxloop_core.evaluation.spec import GateSpec, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.results.encoding import record_line
from fluxloop_core.results.models import TRACES_FILE

PLAN = compile_plan(validate_evaluation({"checks": [{"check": "contains", "keywords": ["ok"]}]}))


def test_runs_graded_as_they_finish(tmp_path: Path) -> None:
    evaluation = InlineEvaluation(PLAN, GateSpec(min_pass_rate=0.6))
    lines = [evaluation.add(record("ok" if i < 2 else "no", iteration=i)) for i in range(3)]
    assert evaluation.last is not None and not evaluation.last.passed
    assert evaluation.pass_rate == 2 / 3
    assert [json.loads(line)["passed"] for line in lines] == [True, True, False]
    summary = evaluation.finish(tmp_path)
    assert summary.passed_runs == 2 and summary.gate.passed
    assert json.loads((evaluation_dir(tmp_path) / SUMMARY_FILE).read_text())["runs"] == 3


def test_resume_picks_up_the_runs_on_disk(tmp_path: Path) -> None:
    # Three runs finished before a kill; only two of their verdicts reached results.jsonl
    # and a torn line was left behind.
    runs = [record("ok" if i else "no", iteration=i) for i in range(3)]
    (tmp_path / TRACES_FILE).write_bytes(b"".join(record_line(r)[1] for r in runs))
    first = InlineEvaluation(PLAN)
    folder = evaluation_dir(tmp_path)
    folder.mkdir()
    (folder / RESULTS_FILE).write_bytes(first.add(runs[0]) + first.add(runs[1]) + b'{"run_')
    resumed = InlineEvaluation.resume(tmp_path, PLAN)
    assert sorted(v.run_id for v in iter_verdicts(tmp_path)) == ["0.0", "0.1", "0.2"]
    with open(folder / RESULTS_FILE, "ab") as handle:
        handle.write(resumed.add(record("ok", iteration=3)))
    summary = resumed.finish(tmp_path)
    assert (summary.runs, summary.passed_runs) == (4, 3)
    assert len((folder / RESULTS_FILE).read_bytes().splitlines()) == 4
