"""What the runner reports while it works.

Front ends (the CLI's progress bar and plain lines, the TUI's run screen) receive these
through an :data:`EventSink`; none of them is ever handed a widget or a console. The sink
is called from the thread that runs the experiment, one event at a time, so a sink may
keep plain state without locks of its own — but it must be quick (a TUI should only
record the event and repaint on a timer).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from fluxloop_core.results.models import ExperimentSummary, RunStatus


@dataclass(frozen=True)
class ExperimentStarted:
    """The output folder exists and runs are about to be scheduled."""

    name: str
    experiment_dir: Path
    total_runs: int
    inputs_count: int
    iterations: int
    parallel_runs: int
    already_done: int = 0


@dataclass(frozen=True)
class RunStarted:
    """A run was handed to the executor."""

    run_id: str
    input: str
    iteration: int


@dataclass(frozen=True)
class RunFinished:
    """A run returned; its trace line is already on disk."""

    run_id: str
    input: str
    iteration: int
    duration_ms: float
    attempts: int
    output_preview: str


@dataclass(frozen=True)
class RunFailed:
    """A run raised or timed out after its retries; its trace line is already on disk."""

    run_id: str
    input: str
    iteration: int
    duration_ms: float
    attempts: int
    status: Literal["error", "timeout"]
    error: str


@dataclass(frozen=True)
class TurnFinished:
    """An agent turn of a conversation returned (the run itself ends with RunFinished or
    RunFailed); sent only when runs are conversations."""

    run_id: str
    turn: int
    """Agent turns taken so far in this conversation, this one included."""
    max_turns: int
    status: RunStatus


@dataclass(frozen=True)
class RunGraded:
    """A finished run was graded by the evaluation's checks (after its RunFinished or
    RunFailed); ``pass_rate`` is the experiment's so far, resumed runs included."""

    run_id: str
    passed: bool
    reasons: tuple[str, ...]
    graded_runs: int
    pass_rate: float
    graded: bool = True
    """False when a check could not grade the run (a grading error, not a fail)."""


@dataclass(frozen=True)
class LoopBlocked:
    """An async agent's run held the event loop longer than ``timeout_seconds``: a blocking
    call (``time.sleep``, sync I/O) inside ``async def``. Sent once per experiment.

    While one step of a coroutine runs, the loop can neither time it out nor start or
    finish any other run, so the limit did not hold and the runs went one at a time.
    """

    target: str
    run_id: str
    held_seconds: float
    timeout_seconds: float

    def describe(self) -> str:
        """The warning, in the same words for every front end."""
        return (
            f"{self.target} blocked the event loop for {self.held_seconds:.1f} s in run "
            f"{self.run_id}, longer than timeout_seconds={self.timeout_seconds:g}. A blocking "
            "call inside `async def` (time.sleep, sync I/O) cannot be timed out and makes "
            "the runs wait for each other: await non-blocking calls (asyncio.sleep, async "
            "clients), wrap blocking ones in `await asyncio.to_thread(...)`, or make the "
            "agent a plain `def` (sync agents run in threads and are timed out)."
        )


@dataclass(frozen=True)
class ExperimentFinished:
    """summary.json is written; ``summary.interrupted`` says whether every run happened."""

    summary: ExperimentSummary
    experiment_dir: Path


RunnerEvent = (
    ExperimentStarted
    | RunStarted
    | RunFinished
    | RunFailed
    | TurnFinished
    | RunGraded
    | LoopBlocked
    | ExperimentFinished
)
EventSink = Callable[[RunnerEvent], None]
