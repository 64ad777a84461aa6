from __future__ import annotations

from pathlib import Path

from compare_helpers import write_experiment

from fluxloop_core.compare.matching import InputKey
from fluxloop_core.compare.rerun import failing_inputs
from fluxloop_core.runner.binding import RunInput


def test_failing_and_flaky_inputs_by_verdict_or_success(tmp_path: Path) -> None:
    outcomes = {"ok": [True, True], "flaky": [True, False], "bad": [False, False]}
    for evaluated in (False, True):
        folder = write_experiment(tmp_path / str(evaluated), outcomes, evaluated=evaluated)
        selection = failing_inputs(folder)
        assert selection.failing == {InputKey("flaky"), InputKey("bad")}
        assert selection.iterations == 2


def test_config_inputs_are_matched_by_text_and_id(tmp_path: Path) -> None:
    folder = write_experiment(
        tmp_path / "a", {"bad": [False], "ok": [True]}, metadata={"bad": {"id": "7"}}
    )
    selection = failing_inputs(folder)
    inputs = [
        RunInput("ok"),
        RunInput("bad", {"id": "8"}),  # another input with the same text
        RunInput("bad", {"id": "7"}),
        RunInput("new"),
    ]
    assert selection.indices(inputs) == [2]
    assert selection.indices([RunInput("bad")]) == [0]  # lost its id: the text matches


def test_iterations_without_a_summary_come_from_the_runs(tmp_path: Path) -> None:
    folder = write_experiment(tmp_path / "a", {"bad": [False] * 4})
    (folder / "summary.json").unlink()
    assert failing_inputs(folder).iterations == 4
