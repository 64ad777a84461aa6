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

from fluxloop_core.results.models import ExperimentSummary


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
class ExperimentFinished:
    """summary.json is written; ``summary.interrupted`` says whether every run happened."""

    summary: ExperimentSummary
    experiment_dir: Path


RunnerEvent = ExperimentStarted | RunStarted | RunFinished | RunFailed | ExperimentFinished
EventSink = Callable[[RunnerEvent], None]
