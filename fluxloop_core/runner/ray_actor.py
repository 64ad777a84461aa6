"""The Ray actor of ``executor: ray``: one agent process on the cluster, running batches.

Standard library only (with :mod:`fluxloop_core.runner.worker`, itself standard library
only): it runs on the cluster's nodes, where pydantic may be missing. The agent is called
through the worker's :class:`~fluxloop_core.runner.worker.Agent`, so a run on Ray is the
same call as a run in a worker process.

The runs of a batch go on at once, each in its own thread (with its own event loop for an
async agent): ``parallel_runs`` is enforced by the driver, which never sends an actor more
runs than its share. A run past ``timeout_seconds`` is answered as a timeout and its
thread abandoned, as the local executor abandons a sync call.
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
    """One run of a batch, in its own thread."""

    def __init__(self, agent: Agent, request: dict[str, Any]) -> None:
        super().__init__(daemon=True)  # an abandoned (timed-out) run must not hold the exit
        self.agent = agent
        self.request = request
        self.calls: list[dict[str, Any]] = []
        self.reply: dict[str, Any] | None = None
        self.started = time.perf_counter()

    def run(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            self.reply = self.agent.run(self.request, self.calls.append, loop)
        finally:
            loop.close()


class RunActor:
    """Loads the target once, then runs the batches the driver sends."""

    def __init__(self, target: str, providers: dict[str, str], timeout: float) -> None:
        # Ray starts the actor in the shipped working_directory: the agent imports from it.
        sys.path.insert(0, os.getcwd())
        self.timeout = timeout
        self.agent: Agent | None = None
        self.problem: str | None = None
        try:
            self.agent = Agent(target, providers)
        except BaseException as exc:  # reported by ready(): the driver stops with it
            self.problem = f"{type(exc).__name__}: {exc}"

    def ready(self) -> str | None:
        """None when the target loaded, else why it did not."""
        return self.problem

    def run_batch(self, requests: list[dict[str, Any]]) -> dict[str, Any]:
        """Run every request at once; ``{"received": this node's time.time() at the start,
        "folder": where the code was shipped, "replies": [...]}`` (a reply has
        ``callback_calls``; a timeout ``"timeout": true``)."""
        received = time.time()
        assert self.agent is not None  # the driver sends nothing when ready() failed
        runs = [_Run(self.agent, request) for request in requests]
        for run in runs:
            run.start()
        replies = []
        for run in runs:
            run.join(max(0.0, self.timeout - (time.perf_counter() - run.started)))
            elapsed = (time.perf_counter() - run.started) * 1000
            if run.is_alive():
                reply = {"ok": False, "timeout": True, "duration_ms": elapsed, "spans": []}
            elif run.reply is None:  # Agent.run answers every call: a bug, said as such
                error = {"type": "RuntimeError", "message": "the run ended without a reply"}
                reply = {"ok": False, "error": error, "duration_ms": elapsed, "spans": []}
            else:
                reply = run.reply
            reply["callback_calls"] = list(run.calls)
            replies.append(reply)
        return {"received": received, "folder": os.getcwd(), "replies": replies}
