"""Reading an experiment folder into per-input tallies: what disk holds, counted once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from compare_helpers import write_experiment

from fluxloop_core.compare.analysis import compare_experiments
from fluxloop_core.compare.matching import InputKey
from fluxloop_core.compare.tallies import outputs_of, require_experiment, tally_experiment
from fluxloop_core.errors import UsageError

LEGACY = (
    Path(__file__).resolve().parents[2]
    / "fixtures/compat/fluxloop/demo-agent/experiments/exp_20261201_231231"
)


def test_counts_per_input_with_verdicts_or_success(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"x": [True, False, True]}, evaluated=True)
    verdicts = tally_experiment(folder, "verdict").inputs[InputKey("x")]
    assert (verdicts.passed, verdicts.counted, verdicts.runs) == (2, 3, 3)
    # Evaluated runs all succeeded: by success every run passes.
    success = tally_experiment(folder, "success").inputs[InputKey("x")]
    assert (success.passed, success.counted) == (3, 3)


def test_evaluation_on_one_side_only_compares_success(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "a", {"x": [True] * 10}, evaluated=True)
    cand = write_experiment(tmp_path / "b", {"x": [False] * 10})
    result = compare_experiments(base, cand)
    assert result.outcome == "success"
    assert result.inputs[0].state == "regressed"


def test_a_repeated_run_id_and_a_torn_last_line_count_nothing(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"x": [True, True]})
    traces = folder / "traces.jsonl"
    lines = traces.read_text().splitlines(keepends=True)
    traces.write_text(lines[0] + lines[0] + lines[1] + '{"run_id": "0.2", "inp')
    tally = tally_experiment(folder, "success")
    assert tally.runs == 2
    assert tally.inputs[InputKey("x")].runs == 2


def test_an_unparsable_line_in_the_middle_is_skipped(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"x": [True, False]})
    traces = folder / "traces.jsonl"
    first, second = traces.read_text().splitlines(keepends=True)
    traces.write_text(first + "{not json\n" + '"a string"\n' + second)
    item = tally_experiment(folder, "success").inputs[InputKey("x")]
    assert (item.passed, item.counted) == (1, 2)


def test_ungraded_runs_count_in_neither_figure(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"x": [True, True]}, evaluated=True)
    results = folder / "evaluation" / "results.jsonl"
    first, second = results.read_text().splitlines(keepends=True)
    results.write_text(first + second.replace('"graded": true', '"graded": false'))
    item = tally_experiment(folder, "verdict").inputs[InputKey("x")]
    assert (item.passed, item.counted, item.runs) == (1, 1, 2)


def test_a_fluxloop_cli_02_folder_reads_as_ours(tmp_path: Path) -> None:
    base = shutil.copytree(LEGACY, tmp_path / "exp_a")
    cand = shutil.copytree(LEGACY, tmp_path / "exp_b")
    result = compare_experiments(base, cand)
    assert result.outcome == "success"
    # Three inputs × two iterations, every run a success.
    assert result.overall.matched == 3
    assert [(i.before.passed, i.before.counted) for i in result.inputs] == [(2, 2)] * 3  # type: ignore[union-attr]
    assert {item.state for item in result.inputs} == {"unchanged"}
    assert result.overall.p50_before > 0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing", "no such folder"),
        (lambda tmp: tmp, "not an experiment folder"),
        (lambda tmp: (tmp / "file.txt", (tmp / "file.txt").write_text("x"))[0], "not an exp"),
    ],
)
def test_what_is_not_an_experiment_is_a_usage_error(
    tmp_path: Path, make: object, message: str
) -> None:
    folder = make(tmp_path)  # type: ignore[operator]
    with pytest.raises(UsageError, match=message) as caught:
        require_experiment(folder)
    assert caught.value.file == str(folder)
    assert "experiments/<name>_<YYYYMMDD_HHMMSS>" in (caught.value.hint or "")


def test_a_summary_without_runs_is_refused(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"x": [True]})
    (folder / "traces.jsonl").unlink()
    with pytest.raises(UsageError, match=r"no traces\.jsonl"):
        require_experiment(folder)


def test_outputs_of_one_input_in_iteration_order(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"x": [True, False], "y": [True]})
    assert outputs_of(folder, InputKey("x")) == [(0, "answer to x"), (1, "ValueError: no")]
    assert outputs_of(folder, InputKey("nothing")) == []
