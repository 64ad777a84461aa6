"""ProgressState: the figures every renderer shows."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.runner.events import ExperimentStarted, RunFailed, RunFinished, TurnFinished
from fluxloop_core.runner.progress import CONVERSATIONS_SHOWN, ProgressState


def test_counts_rate_and_eta_follow_events() -> None:
    state = ProgressState()
    state.apply(ExperimentStarted("exp", Path("/x"), 10, 5, 2, 4, already_done=2))
    start = state.started_at
    state.apply(RunFinished("0.0", "a", 0, 1.0, 1, "ok"))
    state.apply(RunFailed("1.0", "b", 0, 1.0, 2, "timeout", "slow"))
    assert (state.total, state.done, state.ok, state.failed) == (10, 4, 1, 1)
    assert state.runs_per_second(start + 2.0) == 1.0
    assert state.eta_seconds(start + 2.0) == 6.0
    assert [e.run_id for e in state.errors] == ["1.0"]


def test_recent_runs_are_bounded() -> None:
    state = ProgressState()
    for i in range(500):
        state.apply(RunFinished(str(i), "a", 0, 1.0, 1, ""))
    assert len(state.recent) == 50 and state.recent[-1].run_id == "499"
    assert state.eta_seconds(state.started_at) is None


def test_conversations_in_progress_list_their_turns_until_they_end() -> None:
    state = ProgressState()
    assert state.turns() == ""
    for run_id, turns in (("0.0", 3), ("1.0", 1)):
        for turn in range(1, turns + 1):
            state.apply(TurnFinished(run_id, turn, 6, "success"))
    assert state.turns() == "turns: 0.0 3/6  1.0 1/6"
    state.apply(RunFinished("0.0", "a", 0, 1.0, 1, "ok"))
    state.apply(RunFailed("1.0", "b", 0, 1.0, 1, "error", "boom"))
    assert state.turns() == ""
    for n in range(CONVERSATIONS_SHOWN + 2):
        state.apply(TurnFinished(f"{n}.1", 1, 2, "success"))
    assert state.turns().endswith(f"{CONVERSATIONS_SHOWN - 1}.1 1/2  (+2 more)")
