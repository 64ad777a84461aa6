"""A fixed set of daemon threads that run sync agents for the event loop.

Why not ``ThreadPoolExecutor``: a sync call that times out cannot be killed, and in a
ThreadPoolExecutor it would keep its slot, so every later run would queue behind it (and
interpreter exit would wait for it). Here a timed-out call is *abandoned*: a replacement
thread takes its place at once and the old thread ends when the call finally returns.
Threads are daemons, so an abandoned call never holds up exit.

Why the pool times calls itself: the scheduler queues a few more calls than there are
threads, so a thread takes its next call as soon as it is free, without waiting for the
event loop to wake up (a wake-up per call costs more than a trivial agent). A call's
timeout therefore counts from when a thread starts it, not from when it was queued, and a
watchdog on the loop checks the running calls. Finished calls are handed back in batches.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

_QUEUED, _RUNNING, _DONE = 0, 1, 2
_DROPPED = object()
# How often the watchdog looks at running calls, as a share of the timeout (with bounds).
_WATCH_SHARE, _WATCH_MIN, _WATCH_MAX = 0.05, 0.005, 0.1


class CallTimedOut(Exception):
    """A pooled call ran longer than the pool's timeout and was abandoned."""


class CallRaised(Exception):
    """A pooled call raised ``exception``.

    Carried in a wrapper because some exceptions cannot travel through a future as they
    are (a future refuses ``StopIteration``), and one refused result must not strand the
    others handed back in the same batch.
    """

    def __init__(self, exception: BaseException) -> None:
        super().__init__(exception)
        self.exception = exception


class Job:
    """A call waiting for, or running in, a pool thread.

    ``started`` and ``finished`` are ``time.monotonic()`` readings taken in the thread.
    """

    __slots__ = ("abandoned", "args", "finished", "function", "future", "started", "state")

    def __init__(
        self, future: asyncio.Future[Any], function: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        self.future = future
        self.function = function
        self.args = args
        self.state = _QUEUED
        self.abandoned = False
        self.started: float | None = None
        self.finished: float | None = None


def _resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # timed out or cancelled meanwhile
        return
    if value is _DROPPED:
        future.cancel()
    elif ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class ThreadPool:
    """``size`` daemon threads taking jobs from one queue; results go back to ``loop``.

    With a ``timeout`` (seconds), a call running longer fails with :class:`CallTimedOut`.
    """

    def __init__(
        self, size: int, loop: asyncio.AbstractEventLoop, timeout: float | None = None
    ) -> None:
        self._loop = loop
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live = 0
        self._running: set[Job] = set()
        self._dropping = False
        self._timeout = timeout
        self._finished: deque[tuple[asyncio.Future[Any], bool, Any]] = deque()
        self._drain_scheduled = False
        self._watchdog: asyncio.TimerHandle | None = None
        if timeout is not None:
            self._interval = min(max(timeout * _WATCH_SHARE, _WATCH_MIN), _WATCH_MAX)
            self._watchdog = loop.call_later(self._interval, self._watch)
        for _ in range(size):
            self._spawn()

    def _spawn(self) -> None:
        with self._lock:
            self._live += 1
        threading.Thread(target=self._work, name="fluxloop-run", daemon=True).start()

    def submit(self, function: Callable[..., Any], *args: Any) -> Job:
        """Queue ``function(*args)``; ``job.future`` resolves on the loop."""
        job = Job(self._loop.create_future(), function, args)
        self._queue.put(job)
        return job

    def abandon(self, job: Job) -> None:
        """Give up on ``job``: a queued job is skipped, a running one is replaced."""
        with self._lock:
            if job.state == _QUEUED:
                job.state = _DONE
                return
            if job.state == _DONE or job.abandoned:
                return
            job.abandoned = True
            self._running.discard(job)
        self._spawn()

    def drop_queued(self) -> None:
        """Cancel every job no thread has started yet (running ones go on)."""
        with self._lock:
            self._dropping = True
        # Idle threads may be blocked on the queue while jobs wait behind busy ones; the
        # queue is FIFO, so the dropped jobs are reached as soon as a thread is free.

    def _take(self, job: Job) -> bool:
        """Mark ``job`` running; False when it was abandoned or dropped while queued."""
        with self._lock:
            if job.state != _QUEUED:
                return False
            if self._dropping:
                job.state = _DONE
                self._finish(job.future, True, _DROPPED)
                return False
            job.state = _RUNNING
            job.started = time.monotonic()
            self._running.add(job)
            return True

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            if not self._take(job):
                continue
            try:
                value, ok = job.function(*job.args), True
            except BaseException as exc:
                value, ok = CallRaised(exc), False
            job.finished = time.monotonic()
            with self._lock:
                abandoned = job.abandoned
                job.state = _DONE
                self._running.discard(job)
                if abandoned:
                    self._live -= 1
            self._finish(job.future, ok, value)
            if abandoned:
                return  # a replacement thread already took this one's place

    def _finish(self, future: asyncio.Future[Any], ok: bool, value: Any) -> None:
        """From a thread: hand a result to the loop, waking it only if no drain is due."""
        self._finished.append((future, ok, value))
        if not self._drain_scheduled:
            self._drain_scheduled = True
            # RuntimeError: the experiment ended while this call ran; nobody waits for it.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(self._drain)

    def _drain(self) -> None:
        """On the loop: resolve every finished call's future."""
        # Reset before popping: a call finishing after this line schedules its own drain,
        # one finishing before it is popped below.
        self._drain_scheduled = False
        finished = self._finished
        while finished:
            future, ok, value = finished.popleft()
            try:
                _resolve(future, ok, value)
            except Exception as exc:  # never leave the rest of the batch unresolved
                if not future.done():
                    future.set_exception(RuntimeError(f"result could not be delivered: {exc}"))

    def _watch(self) -> None:
        """On the loop: abandon calls running longer than the timeout."""
        assert self._timeout is not None
        deadline = time.monotonic() - self._timeout
        with self._lock:
            late = [
                job for job in self._running if job.started is not None and job.started < deadline
            ]
        for job in late:
            self.abandon(job)
            if not job.future.done():
                job.future.set_exception(CallTimedOut())
        self._watchdog = self._loop.call_later(self._interval, self._watch)

    def close(self) -> None:
        """Let idle threads end (running ones end after their call)."""
        if self._watchdog is not None:
            self._watchdog.cancel()
        with self._lock:
            live = self._live
        for _ in range(live):
            self._queue.put(None)
