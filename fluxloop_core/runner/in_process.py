"""The default executor: runs in this interpreter.

Async agents run as tasks on the scheduler's event loop; sync agents run in a
:class:`~fluxloop_core.runner.threads.ThreadPool` of ``parallel_runs`` threads. The
timeout is given once, when the executor is made.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import time
import types
from collections.abc import Awaitable, Generator
from typing import Any

from fluxloop_core.results.models import ErrorInfo, RunStatus
from fluxloop_core.runner.arguments import arguments_of
from fluxloop_core.runner.binding import Replay
from fluxloop_core.runner.executor import Attempt, RunJob, error_info, timeout_info
from fluxloop_core.runner.providers import CallLog, Providers
from fluxloop_core.runner.sdk import capture_spans, to_jsonable
from fluxloop_core.runner.target import Target
from fluxloop_core.runner.threads import CallRaised, CallTimedOut, ThreadPool

# Sync runs queued ahead of the pool's threads (at least parallel_runs).
PREFETCH_RUNS = 64


async def _settle(value: Any) -> Any:
    """Await a returned awaitable and drain an async generator (the output is its items)."""
    if inspect.isawaitable(value):
        value = await value
    if inspect.isasyncgen(value):
        value = [item async for item in value]
    return value


class _RunTimedOut(Exception):
    """The attempt ran longer than ``timeout_seconds``."""


class _Stopwatch:
    """An attempt's start and end; a pooled call's come from its thread, not the loop."""

    __slots__ = ("finished", "started")

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.finished: float | None = None

    def milliseconds(self) -> float:
        return ((self.finished or time.monotonic()) - self.started) * 1000


class _LoopClock:
    """The longest time one step of an agent's coroutine held the event loop.

    A timeout can only cancel a coroutine when it gives the loop back: a step that blocks
    (``time.sleep`` inside ``async def``) outlives ``timeout_seconds`` and stops every
    other run meanwhile. Timing each step is how that is noticed.
    """

    __slots__ = ("longest",)

    def __init__(self) -> None:
        self.longest = 0.0


@types.coroutine
def _timed_steps(awaitable: Awaitable[Any], clock: _LoopClock) -> Generator[Any, Any, Any]:
    """``await awaitable``, timing each step it runs on the loop into ``clock``."""
    steps = awaitable.__await__()
    sent: Any = None
    thrown: BaseException | None = None
    while True:
        began = time.perf_counter()
        try:
            yielded = steps.send(sent) if thrown is None else steps.throw(thrown)
        except StopIteration as done:
            return done.value
        finally:
            clock.longest = max(clock.longest, time.perf_counter() - began)
        sent, thrown = None, None
        try:
            sent = yield yielded
        except GeneratorExit:
            steps.close()
            raise
        except BaseException as exc:  # a cancel (timeout, stop) goes on into the agent
            thrown = exc


async def _within(awaitable: Awaitable[Any], timeout: float | None, clock: _LoopClock) -> Any:
    """``await awaitable``, raising _RunTimedOut when ``timeout`` (not the agent) expires."""
    limit = asyncio.timeout(timeout)
    try:
        async with limit:
            return await _timed_steps(awaitable, clock)
    except TimeoutError:
        if limit.expired():
            raise _RunTimedOut from None
        raise


class InProcessExecutor:
    """Calls the target in this interpreter."""

    def __init__(
        self,
        target: Target,
        replay: Replay | None,
        providers: Providers | None,
        parallel_runs: int,
        timeout: float | None = None,
        history_param: str | None = None,
    ) -> None:
        self._target = target
        self._history_param = history_param
        self._replay = replay
        self._providers = providers
        self._timeout = timeout
        self._pool = (
            None
            if target.is_async
            else ThreadPool(parallel_runs, asyncio.get_running_loop(), timeout)
        )
        # Runs queued ahead of the pool's threads, so a thread never waits on the loop.
        self.prefetch = 0 if self._pool is None else max(parallel_runs, PREFETCH_RUNS)

    def _arguments(self, job: RunJob, log: CallLog) -> tuple[list[Any], dict[str, Any]]:
        args, kwargs = arguments_of(job, self._replay, self._history_param)
        if job.callables and self._providers is not None:
            kwargs.update(self._providers.bind(list(job.callables), log))
        return args, kwargs

    def _call_sync(self, job: RunJob, log: CallLog) -> tuple[bool, Any]:
        """In a pool thread: ``(settled, value)``; unsettled values go back to the loop."""
        function = job.agent or self._target.bind()
        args, kwargs = self._arguments(job, log)
        value = function(*args, **kwargs)
        if inspect.isgenerator(value):
            value = list(value)
        if inspect.isawaitable(value) or inspect.isasyncgen(value):
            return False, value
        return True, to_jsonable(value)

    async def _call_async(self, job: RunJob, log: CallLog) -> Any:
        function = job.agent or self._target.bind()
        args, kwargs = self._arguments(job, log)
        return to_jsonable(await _settle(function(*args, **kwargs)))

    async def _run_in_thread(
        self, job: RunJob, log: CallLog, watch: _Stopwatch, clock: _LoopClock
    ) -> Any:
        assert self._pool is not None
        # Copied inside capture_spans so spans finishing in the thread land in this run.
        context = contextvars.copy_context()
        pooled = self._pool.submit(context.run, self._call_sync, job, log)
        try:
            settled, value = await pooled.future
        except asyncio.CancelledError:
            self._pool.abandon(pooled)
            raise
        except CallTimedOut:
            raise _RunTimedOut from None
        finally:
            # The thread's clock: a timed-out call has not finished (the loop's now counts).
            watch.started, watch.finished = pooled.started or watch.started, pooled.finished
        if settled:
            return value
        # A sync callable returned an awaitable: settle it here, in the time left.
        watch.finished = None
        left = None if self._timeout is None else self._timeout - watch.milliseconds() / 1000
        return to_jsonable(await _within(_settle(value), left, clock))

    async def attempt(self, job: RunJob) -> Attempt:
        """Run ``job`` once; exceptions and timeouts become the attempt's status (sync
        agents are timed by the pool, async ones here, both with ``timeout_seconds``)."""
        timeout = self._timeout
        log = CallLog()
        clock = _LoopClock()
        status: RunStatus = "success"
        output: Any = None
        info: ErrorInfo | None = None
        with capture_spans() as spans:
            watch = _Stopwatch()
            try:
                if self._pool is None:
                    output = await _within(self._call_async(job, log), timeout, clock)
                else:
                    output = await self._run_in_thread(job, log, watch, clock)
            except _RunTimedOut:
                status, info = "timeout", timeout_info(timeout or 0.0)
            except asyncio.CancelledError:
                raise
            except BaseException as exc:
                raised = exc.exception if isinstance(exc, CallRaised) else exc
                status, info = "error", error_info(raised)
            # Taken now: an abandoned (timed-out) thread may still finish spans later.
            captured = list(spans)
        return Attempt(
            status,
            watch.milliseconds(),
            output,
            info,
            log.calls,
            captured,
            watch.started,
            clock.longest,
        )

    def drop_queued(self) -> None:
        """Cancel the runs no thread has started (when the experiment is stopping)."""
        if self._pool is not None:
            self._pool.drop_queued()

    async def close(self) -> None:
        """Let the pool's idle threads end."""
        if self._pool is not None:
            self._pool.close()
