"""The executor of ``executor: processes`` and ``runner.python_path``: ``parallel_runs``
worker processes (of that interpreter, else this one), each running one call at a time over
a JSON-lines protocol (see worker.py). Processes, unlike threads, let a CPU-bound agent use
every core.

Unlike a sync thread, a worker that exceeds ``timeout_seconds`` can be stopped: it is
killed and a fresh one takes its place. A worker that dies mid-run fails that attempt (the
runner's ``max_retries`` may run it again) and is replaced on the next run of its slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
from pathlib import Path
from typing import Any

from fluxloop_core.results.models import CallbackCall, ErrorInfo
from fluxloop_core.runner.executor import Attempt, RunJob, timeout_info
from fluxloop_core.runner.plan import ExperimentPlan
from fluxloop_core.runner.sdk import collector_variables
from fluxloop_core.runner.worker_protocol import attempt_of, end_request, request_of

WORKER_SCRIPT = Path(__file__).with_name("worker.py")
LINE_LIMIT = 1 << 28
"""Largest reply line (outputs and spans can be big)."""


class WorkerFailed(Exception):
    """A worker exited or could not start."""


def died_mid_run(code: int) -> str:
    """Why a run failed when its worker process ended under it (``code``: its exit status,
    negative for a signal)."""
    if code < 0:
        try:
            how = f"was killed by signal {signal.Signals(-code).name}"
        except ValueError:
            how = f"was killed by signal {-code}"
    else:
        how = f"exited with code {code}"
    return f"the worker process running this run {how} before the run finished"


class _Worker:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.next_id = 0

    async def call(self, request: dict[str, Any], calls: list[CallbackCall]) -> dict[str, Any]:
        """Send ``request``; its callback calls go into ``calls`` as they come, so a run
        that ends without a reply (timeout, death) keeps them."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.next_id += 1
        request["id"] = self.next_id
        self.process.stdin.write(json.dumps(request).encode() + b"\n")
        await self.process.stdin.drain()
        while True:
            line = await self.process.stdout.readline()
            if not line:
                raise WorkerFailed(died_mid_run(await self.process.wait()))
            reply: dict[str, Any] = json.loads(line)
            if "callback" not in reply:
                return reply
            calls.append(CallbackCall.model_validate(reply["callback"]))

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()


class SubprocessExecutor:
    """Runs attempts in worker processes of :attr:`ExperimentPlan.worker_python`."""

    # A round trip to a worker dwarfs the scheduler's own cost: nothing to queue ahead.
    prefetch = 0

    def __init__(self, plan: ExperimentPlan) -> None:
        runner = plan.config.runner
        assert plan.worker_python is not None
        self._python = plan.worker_python
        self._folder = runner.working_directory
        self._plan = plan
        self._setup = json.dumps(
            {
                "target": runner.resolved_target,
                "providers": plan.providers.specs if plan.providers else {},
            }
        )
        self._size = plan.parallel_runs
        self._timeout = runner.timeout_seconds
        # A slot is a live worker or None: one died and is started again when next used.
        self._idle: asyncio.Queue[_Worker | None] = asyncio.Queue()
        self._all: set[_Worker] = set()
        self._ready: asyncio.Future[None] | None = None
        # A conversation's worker between its turns (out of the idle queue meanwhile).
        self._held: dict[str, _Worker] = {}

    async def _spawn(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            self._python,
            str(WORKER_SCRIPT),
            self._setup,
            cwd=self._folder,
            # The run environment is applied to os.environ; the SDK's collector settings
            # are the runner's, so the agent's spans go where an in-process run's go.
            env={**os.environ, **collector_variables()},
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=LINE_LIMIT,
            # Its own session: Ctrl-C in the terminal is the runner's alone to handle, and
            # where the kernel groups CPU time by session (autogroup), each worker gets
            # its own share instead of all of them splitting the terminal's one.
            start_new_session=True,
        )
        worker = _Worker(process)
        self._all.add(worker)
        assert process.stdout is not None
        hello = await process.stdout.readline()
        message = json.loads(hello) if hello.strip() else {"fatal": "the worker exited at start"}
        if "fatal" in message:
            worker.kill()
            self._all.discard(worker)
            raise WorkerFailed(f"{self._python} could not load the target: {message['fatal']}")
        return worker

    async def _start(self) -> None:
        workers = await asyncio.gather(*(self._spawn() for _ in range(self._size)))
        for worker in workers:
            self._idle.put_nowait(worker)

    async def _acquire(self) -> _Worker:
        # One start for every caller: when it fails, each waiting run sees the failure
        # instead of waiting for a worker that will never come.
        if self._ready is None:
            self._ready = asyncio.ensure_future(self._start())
        await asyncio.shield(self._ready)
        worker = await self._idle.get()
        if worker is not None:
            return worker
        try:
            return await self._spawn()
        except BaseException:
            self._idle.put_nowait(None)  # the slot stays: the next run tries again
            raise

    async def _discard(self, worker: _Worker) -> None:
        """Kill ``worker`` and free its slot (a fresh worker starts when it is next used)."""
        worker.kill()
        self._all.discard(worker)
        with contextlib.suppress(Exception):
            await worker.process.wait()
        self._idle.put_nowait(None)

    async def attempt(self, job: RunJob) -> Attempt:
        """Run ``job`` once in an idle worker (a conversation's later turns: in the worker
        of its first); a timeout kills and replaces the worker."""
        timeout = self._timeout
        loop = asyncio.get_running_loop()
        started = loop.time()
        held = job.conversation_id
        worker = self._held.pop(held, None) if held is not None else None
        try:
            worker = worker or await self._acquire()
        except WorkerFailed as exc:
            elapsed = (loop.time() - started) * 1000
            return Attempt("error", elapsed, error=ErrorInfo(type="WorkerFailed", message=str(exc)))
        calls: list[CallbackCall] = []
        try:
            async with asyncio.timeout(timeout):
                reply = await worker.call(
                    request_of(job, self._plan.replay, self._plan.history_param), calls
                )
        except TimeoutError:
            elapsed = (loop.time() - started) * 1000
            await self._discard(worker)
            return Attempt(
                "timeout", elapsed, error=timeout_info(timeout or 0.0), callback_calls=calls
            )
        except asyncio.CancelledError:
            worker.kill()
            raise
        except (WorkerFailed, ValueError, OSError, RecursionError) as exc:  # a reply too deep
            elapsed = (loop.time() - started) * 1000
            await self._discard(worker)
            info = ErrorInfo(type=type(exc).__name__, message=str(exc))
            return Attempt("error", elapsed, error=info, callback_calls=calls)
        if held is not None:
            self._held[held] = worker
        else:
            self._idle.put_nowait(worker)
        return attempt_of(reply, calls)

    def end_conversation(self, conversation_id: str) -> None:
        """Give the conversation's worker back to the pool, its instance freed."""
        worker = self._held.pop(conversation_id, None)
        if worker is None:
            return  # its worker died or was killed with its last turn
        stdin = worker.process.stdin
        if self._plan.history_param is None and stdin is not None:
            stdin.write(json.dumps(end_request(conversation_id)).encode() + b"\n")
        self._idle.put_nowait(worker)

    def drop_queued(self) -> None:
        """Nothing is queued beyond parallel_runs (prefetch is 0)."""

    async def close(self) -> None:
        """Close every worker's stdin (it exits) and kill what does not."""
        for worker in list(self._all):
            if worker.process.stdin is not None:
                worker.process.stdin.close()
        for worker in list(self._all):
            try:
                await asyncio.wait_for(worker.process.wait(), 2.0)
            except TimeoutError:
                worker.kill()
                await worker.process.wait()
