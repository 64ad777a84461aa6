"""Rendering runner events for a terminal: a rich bar on a TTY, plain lines otherwise.

Both renderers only fold each event into a :class:`ProgressState` (cheap, so 10,000 fast
runs do not slow the runner) and draw from that state at a steady pace: rich refreshes the
bar about ten times a second; the plain renderer prints a line every few seconds and once
at the end, in a stable format for CI logs::

    [fluxloop] 1234/10000 runs  ok 1230  failed 4  85.2 runs/s  ETA 1m43s

(with ``pass 97.1%`` after ``failed`` when the runs are graded by checks).

A warning from the runner (:class:`LoopBlocked`) is written at once by every renderer, the
silent one too: ``--quiet`` drops progress, not warnings.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any, Protocol, TextIO

from fluxloop_core.counts import counted
from fluxloop_core.runner.events import (
    ExperimentFinished,
    ExperimentStarted,
    LoopBlocked,
    RunnerEvent,
)
from fluxloop_core.runner.progress import ProgressState

PLAIN_INTERVAL_SECONDS = 5.0


class Renderer(Protocol):
    """Receives every runner event; ``close`` draws the last state and stops drawing."""

    def __call__(self, event: RunnerEvent) -> None: ...

    def close(self) -> None: ...


def progress_line(state: ProgressState, now: float | None = None) -> str:
    """The plain progress line for ``state``."""
    return f"[fluxloop] {state.describe(now)}"


def warning_line(event: LoopBlocked) -> str:
    """A runner warning as printed on stderr (as the run's other warnings are)."""
    return f"warning: {event.describe()}"


class PlainRenderer:
    """A line every ``interval`` seconds (and a final one) on a stream that is no terminal."""

    def __init__(
        self,
        stream: TextIO,
        *,
        interval: float = PLAIN_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.state = ProgressState()
        self._stream = stream
        self._interval = interval
        self._clock = clock
        self._last_line = clock()
        self._started = False

    def __call__(self, event: RunnerEvent) -> None:
        self.state.apply(event)
        if isinstance(event, LoopBlocked):
            self._stream.write(warning_line(event) + "\n")
            self._stream.flush()
            return
        if isinstance(event, ExperimentStarted):
            self._started = True
            self.state.started_at = self._last_line = self._clock()
            self._stream.write(
                f"[fluxloop] {event.name}: {counted(event.total_runs, 'run')} "
                f"({counted(event.inputs_count, 'input')} × "
                f"{counted(event.iterations, 'iteration')}, "
                f"{event.parallel_runs} in parallel) → {event.experiment_dir}\n"
            )
            self._stream.flush()
            return
        now = self._clock()
        if isinstance(event, ExperimentFinished) or now - self._last_line >= self._interval:
            self._write(now)

    def _write(self, now: float) -> None:
        self._last_line = now
        self._stream.write(progress_line(self.state, now) + "\n")
        self._stream.flush()

    def close(self) -> None:
        if self._started and not self.state.finished:
            self._write(self._clock())


class RichRenderer:
    """A live rich progress bar: done/total, ok/failed, runs/s and ETA."""

    def __init__(self, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.state = ProgressState()
        state = self.state

        class Counts(TextColumn):
            # Reads the shared state when rich repaints (10/s), not on every event.
            def render(self, task: Any) -> Any:
                from rich.text import Text

                return Text(state.counts())

        console = Console(file=stream, no_color=bool(os.environ.get("NO_COLOR")))
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            Counts(""),
            console=console,
            refresh_per_second=10,
        )
        self._task = self._progress.add_task("runs", total=None)
        self._progress.start()

    def __call__(self, event: RunnerEvent) -> None:
        self.state.apply(event)
        if isinstance(event, LoopBlocked):
            # Above the bar; a target name is text, never markup.
            self._progress.console.print(warning_line(event), markup=False, highlight=False)
        if isinstance(event, ExperimentStarted):
            self._progress.update(self._task, description=event.name, total=event.total_runs)
        self._progress.update(self._task, completed=self.state.done)

    def close(self) -> None:
        self._progress.stop()


class SilentRenderer:
    """``--quiet``: draws no progress; warnings still go to ``stream``."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, event: RunnerEvent) -> None:
        if isinstance(event, LoopBlocked):
            self._stream.write(warning_line(event) + "\n")
            self._stream.flush()

    def close(self) -> None:
        return None


def make_renderer(*, quiet: bool, stream: TextIO) -> Renderer:
    """The renderer for ``stream``: silent, a rich bar on a terminal, else plain lines."""
    if quiet:
        return SilentRenderer(stream)
    if stream.isatty() and os.environ.get("TERM") != "dumb":
        return RichRenderer(stream)
    return PlainRenderer(stream)
