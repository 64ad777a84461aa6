"""The Ray actor of ``executor: ray``: one agent process on the cluster, running batches.

Standard library only (with :mod:`fluxloop_core.runner.worker`, itself standard library
only): it runs on the cluster's nodes, where pydantic may be missing. The agent is called
through the worker's :class:`~fluxloop_core.runner.worker.Agent`, so a run on Ray is the
same call as a run in a worker process.

An actor runs at most ``share`` runs at once (its part of ``parallel_runs``): ``share``
threads, each with its own event loop for an async agent, take the runs of every batch
from one queue, so a Ray call carries several runs while the concurrency stays the
user's. A run past ``timeout_seconds`` is answered as a timeout and its thread abandoned
(a new one takes its place), as the local executor abandons a sync call.
"""

from __future__ import annotations

import asyncio
import os
import queue
import sys
import threading
import time
from typing import Any

from fluxloop_core.runner.worker import Agent


class _Job:
    """One run of a batch, from the queue to its answer."""

    def __init__(self, request: dict[str, Any]) -> None:
        self.request = request
        self.calls: list[dict[str, Any]] = []
        self.reply: dict[str, Any] | None = None
        self.taken = threading.Event()  # a thread started it, or it was dropped
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.started = 0.0
        self.dropped = False
        self.timed_out = False


class _Runner(threading.Thread):
    """One of the actor's ``share`` threads: runs jobs back to back on its own loop,
    until a job of its outlives the timeout (the thread is then abandoned to it)."""

    def __init__(self, actor: RunActor) -> None:
        super().__init__(daemon=True)  # an abandoned run must not hold the actor's exit
        self.actor = actor

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        actor = self.actor
        assert actor.agent is not None
        while True:
            job = actor.jobs.get()
            if actor.dropping:
                job.dropped = True
                job.taken.set()
                job.done.set()
                continue
            job.started = time.monotonic()
            job.taken.set()
            reply = actor.agent.run(job.request, job.calls.append, loop)
            with job.lock:
                abandoned = job.timed_out
                job.reply = reply
            job.done.set()
            if abandoned:
                return  # a new thread took this one's place when the run timed out


class RunActor:
    """Loads the target once, then runs the batches the driver sends."""

    def __init__(self, target: str, providers: dict[str, str], timeout: float, share: int) -> None:
        # Ray starts the actor in the shipped working_directory: the agent imports from it.
        sys.path.insert(0, os.getcwd())
        self.timeout = timeout
        self.jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.dropping = False
        self.agent: Agent | None = None
        self.problem: str | None = None
        try:
            self.agent = Agent(target, providers)
        except BaseException as exc:  # reported by ready(): the driver stops with it
            self.problem = f"{type(exc).__name__}: {exc}"
            return
        for _ in range(share):
            _Runner(self).start()

    def ready(self) -> str | None:
        """None when the target loaded, else why it did not."""
        return self.problem

    def drop_queued(self) -> None:
        """Start no more runs: those still queued are answered as dropped."""
        self.dropping = True

    def end_conversation(self, conversation_id: str) -> None:
        """Free the conversation's instance of a ``Class.method`` target."""
        if self.agent is not None:
            self.agent.end(conversation_id)

    def run_batch(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """Queue ``requests`` and wait for their answers: ``{"received": this node's
        time.time() at the start, "folder": where the code was shipped, "replies": [...]}``
        (a reply has ``callback_calls``; a timeout ``"timeout": true``; a run never started
        after :meth:`drop_queued` ``"dropped": true``)."""
        received = time.time()
        jobs = [_Job(request) for request in requests]
        for job in jobs:
            self.jobs.put(job)
        replies = []
        for job in jobs:
            job.taken.wait()
            if job.dropped:
                replies.append({"dropped": True})
                continue
            job.done.wait(max(0.0, job.started + self.timeout - time.monotonic()))
            replies.append(self._answer(job))
        return {"received": received, "folder": os.getcwd(), "replies": replies}

    def _answer(self, job: _Job) -> dict[str, Any]:
        with job.lock:
            reply = job.reply
            job.timed_out = reply is None
        if reply is None:
            _Runner(self).start()  # the stuck thread's replacement
            elapsed = (time.monotonic() - job.started) * 1000
            reply = {"ok": False, "timeout": True, "duration_ms": elapsed, "spans": []}
        reply["callback_calls"] = list(job.calls)
        return reply
