"""An experiment running in the background of the app, and what the run screen reads.

The runner calls :meth:`ExperimentSession.on_event` from its own thread for every run; the
session only folds events into a :class:`ProgressState` under a lock. The run screen takes
a :meth:`snapshot` a few times a second, so a 10,000-run experiment costs the UI a handful
of repaints a second, not 10,000.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.errors import UserError
from fluxloop_core.runner.events import (
    ExperimentStarted,
    RunFailed,
    RunFinished,
    RunGraded,
    RunnerEvent,
)
from fluxloop_core.runner.experiment import (
    CancelToken,
    ExperimentResult,
    RunOptions,
    run_experiment,
)
from fluxloop_core.runner.progress import ProgressState

GRADED_KEPT = 50
"""Verdicts kept for the latest runs (as many as ProgressState keeps runs)."""


@dataclass(frozen=True)
class SessionView:
    """A consistent copy of a session's figures, for one repaint."""

    state: ProgressState
    recent: tuple[RunFinished | RunFailed, ...]
    graded: dict[str, RunGraded]
    """The latest runs' verdicts by run_id (empty when the runs are not evaluated)."""
    errors: tuple[RunFailed, ...]
    warnings: tuple[str, ...]
    experiment_dir: Path | None
    running: bool
    stopping: bool
    result: ExperimentResult | None
    problem: str | None


@dataclass
class ExperimentSession:
    """One experiment started from the TUI: its progress, its cancel token, its outcome."""

    loaded: LoadedConfig
    options: RunOptions
    token: CancelToken = field(default_factory=CancelToken)
    state: ProgressState = field(default_factory=ProgressState)
    experiment_dir: Path | None = None
    result: ExperimentResult | None = None
    problem: str | None = None
    running: bool = True
    graded: deque[RunGraded] = field(default_factory=lambda: deque(maxlen=GRADED_KEPT))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def on_event(self, event: RunnerEvent) -> None:
        """The runner's event sink (its thread): record, never draw."""
        with self._lock:
            self.state.apply(event)
            if isinstance(event, RunGraded):
                self.graded.append(event)
            elif isinstance(event, ExperimentStarted):
                self.experiment_dir = event.experiment_dir

    def run(self) -> None:
        """Run the experiment to its end (blocking: call it from a worker thread)."""
        try:
            result = run_experiment(
                self.loaded, self.options, on_event=self.on_event, cancel=self.token
            )
        except UserError as error:
            self._end(problem=error.render())
        except Exception as error:  # the app must survive a failure it did not foresee
            self._end(problem=f"The experiment stopped: {type(error).__name__}: {error}")
        else:
            self._end(result=result)

    def _end(self, *, result: ExperimentResult | None = None, problem: str | None = None) -> None:
        with self._lock:
            self.result = result
            self.problem = problem
            if result is not None:
                self.experiment_dir = result.experiment_dir
            self.running = False

    def stop(self) -> None:
        """Stop scheduling and keep finished runs; a second call stops at once."""
        self.token.cancel()

    def snapshot(self) -> SessionView:
        """The figures as of now, copied under the lock."""
        with self._lock:
            # The runner's thread changes the conversations in progress: a copy of them.
            state = replace(self.state, conversations=dict(self.state.conversations))
            return SessionView(
                state=state,
                recent=tuple(self.state.recent),
                graded={event.run_id: event for event in self.graded},
                errors=tuple(self.state.errors),
                warnings=tuple(self.state.warnings),
                experiment_dir=self.experiment_dir,
                running=self.running,
                stopping=self.token.cancelled,
                result=self.result,
                problem=self.problem,
            )
