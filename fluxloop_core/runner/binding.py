"""What each run passes to the agent.

Simple mode: the input text is the first positional argument.

Replay mode: a deep copy of a recorded call's kwargs, the input written at
``override_param_path``, callable markers replaced by providers. Which recorded call feeds
a run is fixed: an input generated from a recording (``metadata.source.line_number``)
replays the call on that line; any other input ``i`` replays ``calls[i % len(calls)]``
(calls of the target in file order).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxloop_core.paths import set_path
from fluxloop_core.recording import RecordedCall, callable_parameters
from fluxloop_core.results.models import ReplaySource


@dataclass(frozen=True)
class RunInput:
    """One input of the experiment."""

    text: str
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def source_line(self) -> int | None:
        """The recording line this input was generated from, if any."""
        source = self.metadata.get("source")
        if isinstance(source, dict):
            line = source.get("line_number")
            if isinstance(line, int) and not isinstance(line, bool):
                return line
        return None


@dataclass(frozen=True)
class Replay:
    """The recorded calls of the target and how to turn one into a run's kwargs."""

    recording_file: Path
    calls: list[RecordedCall]
    override_path: str | None
    by_line: dict[int, RecordedCall]

    def call_for(self, input_index: int, run_input: RunInput) -> RecordedCall:
        """The recorded call that feeds runs of input ``input_index`` (see module doc)."""
        line = run_input.source_line
        if line is not None and line in self.by_line:
            return self.by_line[line]
        return self.calls[input_index % len(self.calls)]

    def kwargs_for(self, call: RecordedCall, text: str) -> dict[str, Any]:
        """A fresh copy of the call's kwargs with the input written in (markers kept)."""
        kwargs = call.copy_kwargs()
        if self.override_path:
            set_path(kwargs, self.override_path, text)
        return kwargs

    def source(self, call: RecordedCall) -> ReplaySource:
        """Where the run's kwargs came from, for its trace line."""
        return ReplaySource(
            recording_file=str(self.recording_file),
            line_number=call.line_number,
            iteration=call.iteration,
        )


def replay_of(recording_file: Path, calls: list[RecordedCall], override_path: str | None) -> Replay:
    """The replay of the target's ``calls`` (preflight checked they exist and that the
    override path fits each one)."""
    return Replay(
        recording_file=recording_file,
        calls=calls,
        override_path=override_path,
        by_line={call.line_number: call for call in calls},
    )


def recorded_callables(calls: list[RecordedCall]) -> dict[int, list[str]]:
    """Callable parameters of each call, by line number (computed once, not per run)."""
    return {call.line_number: sorted(callable_parameters(call.kwargs)) for call in calls}
