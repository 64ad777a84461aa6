"""Progress figures derived from runner events, shared by every renderer."""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from fluxloop_core.counts import counted
from fluxloop_core.runner.events import (
    ExperimentFinished,
    ExperimentStarted,
    LoopBlocked,
    RunFailed,
    RunFinished,
    RunGraded,
    RunnerEvent,
    TurnFinished,
)

CONVERSATIONS_SHOWN = 6
"""Conversations in progress named on the turns line (the rest are counted)."""


def format_duration(seconds: float | None) -> str:
    """``1m43s``, ``2h05m``, ``12s``; ``--`` when unknown."""
    if seconds is None:
        return "--"
    whole = round(seconds)
    if whole >= 3600:
        return f"{whole // 3600}h{whole % 3600 // 60:02d}m"
    if whole >= 60:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole}s"


@dataclass
class ProgressState:
    """done/total, ok/failed, rate and ETA of one experiment, fed by :meth:`apply`.

    ``recent`` and ``errors`` are bounded so that a 100,000-run experiment costs no more
    memory here than a 100-run one.
    """

    total: int = 0
    done: int = 0
    ok: int = 0
    failed: int = 0
    name: str = ""
    finished: bool = False
    interrupted: bool = False
    started_at: float = field(default_factory=time.monotonic)
    _done_at_start: int = 0
    recent: deque[RunFinished | RunFailed] = field(default_factory=lambda: deque(maxlen=50))
    errors: deque[RunFailed] = field(default_factory=lambda: deque(maxlen=50))
    warnings: list[str] = field(default_factory=list)
    """What the runner warned about while running (each kind once per experiment)."""
    graded: int = 0
    """Runs graded by the evaluation's checks so far (0: not evaluated)."""
    pass_rate: float = 0.0
    conversations: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Conversations in progress: run_id -> (turns taken, max_turns); at most
    ``parallel_runs`` of them."""

    def apply(self, event: RunnerEvent) -> None:
        """Fold one event into the figures."""
        if isinstance(event, ExperimentStarted):
            self.name = event.name
            self.total = event.total_runs
            self.done = self._done_at_start = event.already_done
            self.started_at = time.monotonic()
        elif isinstance(event, TurnFinished):
            self.conversations[event.run_id] = (event.turn, event.max_turns)
        elif isinstance(event, RunFinished):
            self.conversations.pop(event.run_id, None)
            self.done += 1
            self.ok += 1
            self.recent.append(event)
        elif isinstance(event, RunFailed):
            self.conversations.pop(event.run_id, None)
            self.done += 1
            self.failed += 1
            self.recent.append(event)
            self.errors.append(event)
        elif isinstance(event, RunGraded):
            self.graded = event.graded_runs
            self.pass_rate = event.pass_rate
        elif isinstance(event, LoopBlocked):
            self.warnings.append(event.describe())
        elif isinstance(event, ExperimentFinished):
            self.conversations.clear()  # an interrupted one was not written
            self.finished = True
            self.interrupted = event.summary.interrupted

    def runs_per_second(self, now: float | None = None) -> float:
        """Runs finished per second since this experiment (or resume) started."""
        elapsed = (time.monotonic() if now is None else now) - self.started_at
        finished_here = self.done - self._done_at_start
        return finished_here / elapsed if elapsed > 0 else 0.0

    def eta_seconds(self, now: float | None = None) -> float | None:
        """Seconds left at the current rate; None until a run has finished."""
        rate = self.runs_per_second(now)
        if rate <= 0:
            return None
        return max(self.total - self.done, 0) / rate

    def counts(self, now: float | None = None) -> str:
        """``ok 1230  failed 4  pass 97.1%  85.2 runs/s  ETA 1m43s`` (the pass rate only
        when the runs are graded)."""
        graded = f"pass {self.pass_rate:.1%}  " if self.graded else ""
        return (
            f"ok {self.ok}  failed {self.failed}  {graded}"
            f"{self.runs_per_second(now):.1f} runs/s  "
            f"ETA {format_duration(self.eta_seconds(now))}"
        )

    def describe(self, now: float | None = None) -> str:
        """``1234/10000 runs  ok 1230  failed 4  pass 97.1%  85.2 runs/s  ETA 1m43s``."""
        return f"{self.done}/{counted(self.total, 'run')}  {self.counts(now)}"

    def turns(self) -> str:
        """``turns: 0.0 3/6  1.0 1/6  (+2 more)``: the conversations in progress and the
        agent turns each has taken, first started first; empty when there are none."""
        if not self.conversations:
            return ""
        shown = list(self.conversations.items())[:CONVERSATIONS_SHOWN]
        more = len(self.conversations) - len(shown)
        listed = "  ".join(f"{run_id} {taken}/{most}" for run_id, (taken, most) in shown)
        return f"turns: {listed}" + (f"  (+{more} more)" if more else "")
