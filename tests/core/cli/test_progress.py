"""CLI progress: plain lines at a steady pace for CI, a rich bar on a terminal, or nothing."""

from __future__ import annotations

import io
from pathlib import Path

from fluxloop_core.cli.progress import (
    PlainRenderer,
    RichRenderer,
    SilentRenderer,
    make_renderer,
)
from fluxloop_core.results.models import ExperimentSummary, ResultStats
from fluxloop_core.runner.events import (
    ExperimentFinished,
    ExperimentStarted,
    LoopBlocked,
    RunFailed,
    RunFinished,
)
from fluxloop_core.runner.progress import format_duration


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def summary() -> ExperimentSummary:
    stats = ResultStats(
        total_runs=3, successful=2, failed=1, success_rate=2 / 3, avg_duration_ms=1.0
    )
    return ExperimentSummary(
        name="exp",
        date="2025-09-30T15:00:00",
        results=stats,
        started_at="2025-09-30T15:00:00",
        inputs_count=3,
        iterations=1,
        planned_runs=3,
        parallel_runs=1,
    )


def feed(renderer: object, clock: Clock | None = None) -> None:
    events = [
        ExperimentStarted("exp", Path("/e/exp_1"), 3, 3, 1, 1),
        RunFinished("0.0", "a", 0, 1.0, 1, "A"),
        RunFinished("1.0", "b", 0, 1.0, 1, "B"),
        RunFailed("2.0", "c", 0, 1.0, 1, "error", "boom"),
        ExperimentFinished(summary(), Path("/e/exp_1")),
    ]
    for event in events:
        if clock is not None:
            clock.now += 3.0
        renderer(event)  # type: ignore[operator]


def test_plain_lines_every_few_seconds_and_at_the_end() -> None:
    stream = io.StringIO()
    clock = Clock()
    renderer = PlainRenderer(stream, interval=5.0, clock=clock)
    feed(renderer, clock)
    renderer.close()
    lines = stream.getvalue().splitlines()
    assert lines[0] == ("[fluxloop] exp: 3 runs (3 inputs × 1 iteration, 1 in parallel) → /e/exp_1")
    # Events 3 s apart: a line after 6 s (second run), then the final one.
    assert lines[1:] == [
        "[fluxloop] 2/3 runs  ok 2  failed 0  0.3 runs/s  ETA 3s",
        "[fluxloop] 3/3 runs  ok 2  failed 1  0.2 runs/s  ETA 0s",
    ]


def test_quiet_and_non_tty_choices() -> None:
    stream = io.StringIO()
    assert isinstance(make_renderer(quiet=True, stream=stream), SilentRenderer)
    assert isinstance(make_renderer(quiet=False, stream=stream), PlainRenderer)
    silent = make_renderer(quiet=True, stream=stream)
    feed(silent)
    silent.close()
    assert stream.getvalue() == ""


def test_rich_bar_renders_counts_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    stream = Terminal()
    renderer = make_renderer(quiet=False, stream=stream)
    assert isinstance(renderer, RichRenderer)
    feed(renderer)
    renderer.close()
    output = stream.getvalue()
    assert "3/3" in output and "failed 1" in output


def test_durations() -> None:
    assert [format_duration(s) for s in (None, 12.2, 103, 7500)] == ["--", "12s", "1m43s", "2h05m"]


def test_every_renderer_writes_a_runner_warning_at_once() -> None:
    """A LoopBlocked event is written by the plain, rich and quiet renderers alike."""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    warning = LoopBlocked("agent:run", "0.0", 1.5, 0.2)
    for stream, quiet in ((io.StringIO(), False), (Terminal(), False), (io.StringIO(), True)):
        renderer = make_renderer(quiet=quiet, stream=stream)
        renderer(ExperimentStarted("exp", Path("/e/exp_1"), 3, 3, 1, 1))
        renderer(warning)
        written = stream.getvalue()  # before close: not held back until the end
        renderer.close()
        assert written.count("warning: agent:run blocked the event loop for 1.5 s") == 1, (
            type(renderer).__name__,
            written,
        )
