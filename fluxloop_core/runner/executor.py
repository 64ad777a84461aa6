"""The executor interface: what the scheduler hands an executor and gets back.

The scheduler hands an executor one :class:`RunJob` attempt at a time and gets an
:class:`Attempt` back; it never sees threads, processes or machines. An executor is made
for one experiment (with its ``parallel_runs`` and ``timeout_seconds``) and closed at its
end. Beside the in-process one (:mod:`fluxloop_core.runner.in_process`), the
``runner.python_path`` worker pool (:mod:`fluxloop_core.runner.worker_pool`) and the
``runner.http`` one (:mod:`fluxloop_core.runner.http_executor`), the ``runner.command``
ones (:mod:`fluxloop_core.runner.command_executor`), a process
pool or a distributed engine (Ray) plugs in here without the scheduler changing: all it
needs is ``attempt``, ``prefetch``, ``drop_queued`` and ``close``, and jobs and attempts
that are plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from fluxloop_core.recording import RecordedCall
from fluxloop_core.results.models import CallbackCall, ErrorInfo, RunStatus
from fluxloop_core.runner.agent_error import message_of, traceback_of
from fluxloop_core.runner.binding import RunInput


@dataclass(frozen=True)
class RunJob:
    """One run: an input, an iteration and (replay) the recorded call that feeds it."""

    run_id: str
    input_index: int
    iteration: int
    input: RunInput
    call: RecordedCall | None = None
    callables: tuple[str, ...] = ()
    history: tuple[dict[str, str], ...] | None = None
    """A conversation's turn: the messages so far (user and assistant), this turn's
    message last; None outside conversations. Executors hand it to the agent their way
    (Python targets: the ``conversation.history_param`` keyword, see
    :func:`~fluxloop_core.runner.arguments.arguments_of`)."""
    agent: Callable[..., Any] | None = None
    """A conversation's turn in this process: the instance's method kept for the whole
    conversation."""
    conversation_id: str | None = None
    """A conversation's turn: which conversation, so an executor that runs elsewhere keeps
    its turns on one worker (and, without ``history_param``, one instance there) until
    :meth:`HoldsConversations.end_conversation`."""


@dataclass
class Attempt:
    """What one attempt of a run produced."""

    status: RunStatus
    duration_ms: float
    output: Any = None
    error: ErrorInfo | None = None
    callback_calls: list[CallbackCall] = field(default_factory=list)
    spans: list[dict[str, Any]] = field(default_factory=list)
    started: float | None = None
    """``time.monotonic()`` when the attempt really started (a queued run starts later)."""
    loop_held: float = 0.0
    """Seconds the agent's longest coroutine step held the event loop (async agents)."""
    retryable: bool = True
    """Whether an error is worth another attempt (an HTTP 400 is not; a 503 is)."""
    retry_after: float | None = None
    """Seconds the agent asked to wait before the next attempt (HTTP ``Retry-After``)."""
    conversation: dict[str, Any] | None = None
    """A conversation's trace fields (turns, turn_count, termination_reason, persona)."""


class Executor(Protocol):
    """Runs attempts; created per experiment and closed at its end."""

    async def attempt(self, job: RunJob) -> Attempt:
        """Run ``job`` once within the experiment's ``timeout_seconds`` (given when the
        executor was made); never raises for agent errors."""
        ...

    prefetch: int
    """Runs to schedule beyond ``parallel_runs`` (the executor bounds concurrency itself)."""

    def drop_queued(self) -> None:
        """Forget runs accepted beyond ``parallel_runs`` and not started (when stopping)."""
        ...

    async def close(self) -> None:
        """Release threads or processes (running sync calls are abandoned)."""
        ...


@runtime_checkable
class HoldsConversations(Protocol):
    """An executor that keeps each conversation's turns in one place (a worker process)."""

    def end_conversation(self, conversation_id: str) -> None:
        """The conversation ended: free what held it (its worker, its instance)."""
        ...


def error_info(exc: BaseException) -> ErrorInfo:
    """The trace's form of an exception the agent raised."""
    return ErrorInfo(type=type(exc).__name__, message=message_of(exc), traceback=traceback_of(exc))


def timeout_info(timeout: float) -> ErrorInfo:
    """The trace's form of a run that took longer than ``timeout_seconds``."""
    return ErrorInfo(type="TimeoutError", message=f"run exceeded timeout_seconds={timeout:g}")
