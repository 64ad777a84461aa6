"""A fixed set of daemon threads that run sync agents for the event loop.

Why not ``ThreadPoolExecutor``: a sync call that times out cannot be killed, and in a
ThreadPoolExecutor it would keep its slot, so every later run would queue behind it (and
interpreter exit would wait for it). Here a timed-out call is *abandoned*: a replacement
thread takes its place at once and the old thread ends when the call finally returns.
Threads are daemons, so an abandoned call never holds up exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from typing import Any

_QUEUED, _RUNNING, _DONE = 0, 1, 2


class Job:
    """A call waiting for, or running in, a pool thread."""

    __slots__ = ("abandoned", "args", "function", "future", "state")

    def __init__(
        self, future: asyncio.Future[Any], function: Callable[..., Any], args: tuple[Any, ...]
    ) -> None:
        self.future = future
        self.function = function
        self.args = args
        self.state = _QUEUED
        self.abandoned = False


def _resolve(future: asyncio.Future[Any], ok: bool, value: Any) -> None:
    if future.done():  # timed out or cancelled meanwhile
        return
    if ok:
        future.set_result(value)
    else:
        future.set_exception(value)


class ThreadPool:
    """``size`` daemon threads taking jobs from one queue; results go back to ``loop``."""

    def __init__(self, size: int, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._queue: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._live = 0
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
            if job.state == _DONE:
                return
            job.abandoned = True
        self._spawn()

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                return
            with self._lock:
                if job.state != _QUEUED:
                    continue
                job.state = _RUNNING
            try:
                value, ok = job.function(*job.args), True
            except BaseException as exc:
                value, ok = exc, False
            with self._lock:
                job.state = _DONE
                abandoned = job.abandoned
                if abandoned:
                    self._live -= 1
            # RuntimeError: the experiment ended while this call ran; nobody waits for it.
            with contextlib.suppress(RuntimeError):
                self._loop.call_soon_threadsafe(_resolve, job.future, ok, value)
            if abandoned:
                return  # a replacement thread already took this one's place

    def close(self) -> None:
        """Let idle threads end (running ones end after their call)."""
        with self._lock:
            live = self._live
        for _ in range(live):
            self._queue.put(None)
