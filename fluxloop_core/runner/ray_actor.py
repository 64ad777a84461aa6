"""The Ray actor of ``executor: ray``: one agent process on the cluster, running batches.

Standard library only (with :mod:`fluxloop_core.runner.worker`, itself standard library
only): it runs on the cluster's nodes, where pydantic may be missing. The agent is called
through the worker's :class:`~fluxloop_core.runner.worker.Agent`, so a run on Ray is the
same call as a run in a worker process.

An actor runs at most ``share`` runs at once (its part of ``parallel_runs``), each in its
own thread with its own event loop for an async agent; the runs of a batch beyond that
wait in the batch for a free slot, so a Ray call carries several runs while the
concurrency stays the user's. A run past ``timeout_seconds`` is answered as a timeout, its
slot freed and its thread abandoned, as the local executor abandons a sync call.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
from typing import Any

from fluxloop_core.runner.worker import Agent


class _Run(threading.Thread):
    """One run, in its own thread, holding one of the actor's slots until it ends or its
    time is up."""

    def __init__(
        self, agent: Agent, request: dict[str, Any], slots: threading.Semaphore, timeout: float
    ) -> None:
        super().__init__(daemon=True)  # an abandoned (timed-out) run must not hold the exit
        self.agent = agent
        self.request = request
        self.slots = slots
        self.calls: list[dict[str, Any]] = []
        self.reply: dict[str, Any] | None = None
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self._lock = threading.Lock()
        self._holds_slot = True

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            self.reply = self.agent.run(self.request, self.calls.append, loop)
        finally:
            loop.close()
            self.free()

    def free(self) -> None:
        """Give the slot back (once: at the run's end, or when its time is up)."""
        with self._lock:
            held, self._holds_slot = self._holds_slot, False
        if held:
            self.slots.release()

    @property
    def holds_slot(self) -> bool:
        return self._holds_slot

    def expired(self) -> bool:
        return time.monotonic() >= self.deadline

    def answer(self) -> dict[str, Any]:
        """The reply; a run still going is a timeout."""
        elapsed = (time.monotonic() - self.started) * 1000
        if self.is_alive():
            reply = {"ok": False, "timeout": True, "duration_ms": elapsed, "spans": []}
        elif self.reply is None:  # Agent.run answers every call: a bug, said as such
            error = {"type": "RuntimeError", "message": "the run ended without a reply"}
            reply = {"ok": False, "error": error, "duration_ms": elapsed, "spans": []}
        else:
            reply = self.reply
        reply["callback_calls"] = list(self.calls)
        return reply


class RunActor:
    """Loads the target once, then runs the batches the driver sends."""

    def __init__(self, target: str, providers: dict[str, str], timeout: float, share: int) -> None:
        # Ray starts the actor in the shipped working_directory: the agent imports from it.
        sys.path.insert(0, os.getcwd())
        self.timeout = timeout
        self.slots = threading.Semaphore(share)
        self.dropping = False
        self.agent: Agent | None = None
        self.problem: str | None = None
        try:
            self.agent = Agent(target, providers)
        except BaseException as exc:  # reported by ready(): the driver stops with it
            self.problem = f"{type(exc).__name__}: {exc}"

    def ready(self) -> str | None:
        """None when the target loaded, else why it did not."""
        return self.problem

    def drop_queued(self) -> None:
        """Start no more runs: those still waiting for a slot are answered as dropped."""
        self.dropping = True

    def _take_slot(self, running: list[_Run]) -> None:
        """Wait for a free slot, freeing those of ``running`` whose time is up meanwhile
        (runs of other batches are watched by their own batch)."""
        while True:
            deadlines = [run.deadline for run in running if run.holds_slot]
            wait = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
            if self.slots.acquire(timeout=wait):
                return
            for run in running:
                if run.expired():
                    run.free()

    def run_batch(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """Run ``requests``, at most ``share`` at once across batches; ``{"received": this
        node's time.time() at the start, "folder": where the code was shipped, "replies":
        [...]}`` (a reply has ``callback_calls``; a timeout ``"timeout": true``; a run never
        started after :meth:`drop_queued` ``"dropped": true``)."""
        received = time.time()
        assert self.agent is not None  # the driver sends nothing when ready() failed
        running: list[_Run] = []
        started: list[_Run | None] = []
        for request in requests:
            self._take_slot(running)
            if self.dropping:
                self.slots.release()
                started.append(None)
                continue
            run = _Run(self.agent, request, self.slots, self.timeout)
            run.start()
            running.append(run)
            started.append(run)
        for run in running:
            run.join(max(0.0, run.deadline - time.monotonic()))
            run.free()  # ended, or its time is up
        replies = [run.answer() if run else {"dropped": True} for run in started]
        return {"received": received, "folder": os.getcwd(), "replies": replies}
