"""The executor of ``executor: ray``: runs go to actors on a Ray cluster, in batches.

Imported only when that executor is chosen (``ray`` is an optional extra, and importing
it costs a second). The driver — this process — keeps everything that makes results
identical to a local run: the scheduler (retries under the runner's ``max_retries``, not
Ray's), the one writer, and the clock of every timestamp. The actors
(:mod:`fluxloop_core.runner.ray_actor`) only call the agent.

``parallel_runs`` is the total across the cluster: each actor gets a share of it and
runs no more than that at once. Runs are sent in batches of up to
``runner.ray.batch_size`` — one batch queued ahead of each actor's share, so it never
waits for the driver — and come back a batch at a time, so a Ray call is paid per batch,
not per run. The agent's code reaches the cluster through a runtime environment
built from ``working_directory`` without secrets
(:func:`~fluxloop_core.runner.ray_shipping.runtime_env`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import shutil
import signal
import socket
import tempfile
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import ray
from pydantic import ValidationError
from ray.exceptions import RayActorError, RayError

from fluxloop_core.errors import ConfigError, TargetError
from fluxloop_core.results.models import CallbackCall, ErrorInfo
from fluxloop_core.runner.executor import Attempt, RunJob, timeout_info
from fluxloop_core.runner.plan import ExperimentPlan
from fluxloop_core.runner.ray_actor import RunActor
from fluxloop_core.runner.ray_shipping import runtime_env
from fluxloop_core.runner.worker_protocol import attempt_of, request_of

REACH_SECONDS = 5.0
"""How long the cluster's address may take to accept a connection."""
STUCK_MARGIN_SECONDS = 60.0
"""Beyond its runs' timeouts, how long a batch may take before its actor is killed."""
START_SECONDS = 300.0
"""How long the actors may take to start (shipping the code, importing the agent)."""
BATCH_LINGER_SECONDS = 0.002
"""How long a batch short of ``batch_size`` waits for more runs before it leaves."""


def _on_driver_clock(calls: list[dict[str, Any]], offset: timedelta) -> list[CallbackCall]:
    """Callback calls with their node's timestamps moved to this machine's clock."""
    moved = []
    for call in calls:
        with contextlib.suppress(TypeError, ValueError, KeyError):
            call["timestamp"] = (datetime.fromisoformat(call["timestamp"]) + offset).isoformat()
        moved.append(CallbackCall.model_validate(call))
    return moved


@dataclass
class _Slot:
    """One actor and the runs sent to it and not answered yet (at most its ``share``
    running and a batch waiting)."""

    actor: Any
    limit: int
    busy: int = 0
    conversations: int = 0
    """Conversations held on this slot's actor (each keeps every turn there)."""
    generation: int = 0
    """How many times the actor was replaced: a conversation held on an earlier one lost
    its instance with it."""


@dataclass
class _Pending:
    request: dict[str, Any]
    answer: asyncio.Future[Attempt] = field(repr=False)
    conversation: str | None = None


@dataclass
class _Held:
    """Where a conversation's turns go: its slot, as that slot's actor was then."""

    slot: _Slot
    generation: int


def shares(parallel_runs: int, actors: int) -> list[int]:
    """``parallel_runs`` split over ``actors`` as evenly as whole runs allow."""
    base, extra = divmod(parallel_runs, actors)
    return [base + (1 if index < extra else 0) for index in range(actors)]


def actor_count(plan: ExperimentPlan) -> int:
    """How many actors run ``plan``: ``runner.ray.num_actors``, else one per CPU of the
    cluster, never more than ``parallel_runs``."""
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return min(plan.parallel_runs, plan.config.runner.ray.num_actors or max(cpus, 1))


def start_problem(slots: list[_Slot]) -> str | None:
    """Wait for new actors to be ready; what the first that cannot run says (all of them
    killed then), or None."""
    try:
        problems = ray.get([slot.actor.ready.remote() for slot in slots], timeout=START_SECONDS)
    except (RayError, TimeoutError) as exc:  # the runtime environment, a dead actor
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        problems = [f"the actors did not start: {first}"]
    problem = next((p for p in problems if p), None)
    if problem is not None:
        for slot in slots:
            ray.kill(slot.actor)
    return problem


class RayExecutor:
    """Runs attempts on Ray actors; connects (or starts a local Ray) when made."""

    def __init__(self, plan: ExperimentPlan) -> None:
        runner = plan.config.runner
        self._plan = plan
        self._timeout = runner.timeout_seconds
        self._batch_size = runner.ray.batch_size
        self._folder = runner.working_directory.resolve()
        self._pending: deque[_Pending] = deque()
        self._held: dict[str, _Held] = {}
        self._wake = asyncio.Event()
        self._batches: set[asyncio.Task[None]] = set()
        self._temp_dir: Path | None = None
        self._connect(plan)
        self._dispatcher = asyncio.get_running_loop().create_task(self._dispatch())

    def _connect(self, plan: ExperimentPlan) -> None:
        """Join the cluster (or start a local Ray), start the actors, check they loaded
        the target; a failure is the user's to fix (exit 2), nothing has run yet."""
        address = plan.ray_address
        if address is not None:
            _check_reachable(address)
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")  # nothing leaves unasked
        local: dict[str, Any] = {}
        if address is None:
            # A Ray of our own: on loopback only, without a dashboard, its session files
            # in a folder removed when it stops (short: Ray's socket paths live there).
            self._temp_dir = Path(tempfile.mkdtemp(prefix="flr-"))
            local = {
                "include_dashboard": False,
                "_node_ip_address": "127.0.0.1",
                "_temp_dir": str(self._temp_dir),
            }
        try:
            with _signals_kept():
                ray.init(
                    address=address or "local",
                    runtime_env=runtime_env(plan),
                    log_to_driver=False,
                    logging_level=logging.ERROR,
                    **local,
                )
        except Exception as exc:
            self._remove_temp_dir()
            raise ConfigError(
                f"cannot start Ray with the experiment's code: {exc}"
                if address is None
                else f"cannot connect to the Ray cluster at {address}: {exc}",
                key="runner.ray.address",
                hint="Start the cluster with `ray start --head` and give its address with "
                "--ray-address or runner.ray.address (or leave both unset to run on a local "
                "Ray); add large folders to runner.ray.excludes.",
            ) from None
        try:
            self._slots = self._start_actors(plan)
            # Runs accepted beyond parallel_runs: the batch queued ahead of each actor.
            self.prefetch = self._batch_size * len(self._slots)
        except BaseException:
            ray.shutdown()
            self._remove_temp_dir()
            raise

    def _remove_temp_dir(self) -> None:
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    def _start_actors(self, plan: ExperimentPlan) -> list[_Slot]:
        runner = plan.config.runner
        count = actor_count(plan)
        specs = plan.providers.specs if plan.providers else {}
        remote = ray.remote(RunActor)
        target = runner.resolved_target

        def new_actor(share: int) -> Any:
            return remote.options(
                # Batch calls wait in the actor for its slots; +3: ready(), drop_queued()
                # and end_conversation().
                max_concurrency=share + self._batch_size + 3,
                num_cpus=0,  # placed by SPREAD, not by CPUs, so any num_actors can start
                scheduling_strategy="SPREAD",
            ).remote(target, specs, self._timeout, share)

        self._new_actor = new_actor
        slots = [
            _Slot(new_actor(share), share + self._batch_size)
            for share in shares(plan.parallel_runs, count)
        ]
        problem = start_problem(slots)
        if problem is not None:
            raise TargetError(
                f"the Ray actors could not load {runner.resolved_target}: {problem}",
                key="runner.target",
                hint="Install the agent's dependencies on the cluster's nodes; its code "
                "is shipped from working_directory (see runner.ray.excludes).",
            )
        return slots

    async def attempt(self, job: RunJob) -> Attempt:
        """Queue ``job`` for the next batch and wait for its answer (a conversation's
        turns all go to the actor of its first)."""
        answer: asyncio.Future[Attempt] = asyncio.get_running_loop().create_future()
        request = request_of(job, self._plan.replay, self._plan.history_param)
        held = job.conversation_id
        if held is not None and held not in self._held:
            slot = min(self._slots, key=lambda s: s.conversations)
            slot.conversations += 1
            self._held[held] = _Held(slot, slot.generation)
        self._pending.append(_Pending(request, answer, held))
        self._wake.set()
        return await answer

    def end_conversation(self, conversation_id: str) -> None:
        """The conversation's actor holds it no more (and frees its instance)."""
        held = self._held.pop(conversation_id, None)
        if held is None:
            return
        held.slot.conversations -= 1
        if self._plan.history_param is None and held.generation == held.slot.generation:
            with contextlib.suppress(Exception):
                held.slot.actor.end_conversation.remote(conversation_id)

    def _slot_of(self, item: _Pending) -> _Slot | None:
        """The slot ``item`` must go to (None: the roomiest); a conversation whose actor
        was replaced since its first turn is answered with an error here."""
        held = self._held.get(item.conversation) if item.conversation is not None else None
        if held is None:
            return None
        if held.generation != held.slot.generation:
            info = ErrorInfo(
                type="RayActorDied",
                message="the Ray actor holding this conversation died between its turns",
            )
            _answer(item, Attempt("error", 0.0, error=info))
        return held.slot

    async def _dispatch(self) -> None:
        """Send the pending runs, in batches, to the actors with the most room in their
        share (so the runs spread over the cluster)."""
        while True:
            await self._wake.wait()
            self._wake.clear()
            if len(self._pending) < self._batch_size:
                await asyncio.sleep(BATCH_LINGER_SECONDS)  # let a burst of runs gather
            # Until nothing more fits (a slot may take more than one batch).
            while batches := self._batched():
                for slot in self._slots:
                    batch = batches.get(id(slot), [])
                    if batch:
                        slot.busy += len(batch)
                        task = asyncio.get_running_loop().create_task(self._send(slot, batch))
                        self._batches.add(task)
                        task.add_done_callback(self._batches.discard)

    def _batched(self) -> dict[int, list[_Pending]]:
        """The pending runs that fit now, as a batch per slot (by ``id``): a
        conversation's turn to its own slot, other runs filling the roomiest slot's batch
        before the next; the rest stay pending."""
        batches: dict[int, list[_Pending]] = {}

        def room(slot: _Slot) -> int:
            left = min(slot.limit - slot.busy, self._batch_size)
            return left - len(batches.get(id(slot), ()))

        waiting: deque[_Pending] = deque()
        filling: _Slot | None = None
        while self._pending:
            item = self._pending.popleft()
            slot = self._slot_of(item)
            if item.answer.done():  # cancelled while it waited, or its actor is gone
                continue
            if slot is None:
                if filling is None or room(filling) <= 0:
                    filling = max(self._slots, key=room)
                slot = filling
            if room(slot) <= 0:
                waiting.append(item)  # its actor is full: a finished batch wakes the loop
                continue
            batches.setdefault(id(slot), []).append(item)
        self._pending = waiting
        return batches

    async def _send(self, slot: _Slot, batch: list[_Pending]) -> None:
        sent = datetime.now().astimezone()
        try:
            ref = slot.actor.run_batch.remote([item.request for item in batch])
            result = await asyncio.wait_for(
                asyncio.wrap_future(ref.future()), self._batch_bound(slot, len(batch))
            )
        except RayActorError as exc:
            # Every run the actor held is lost with it; a new actor takes the slot and the
            # scheduler may retry the runs (the runner's max_retries, not Ray's).
            self._replace(slot)
            info = ErrorInfo(type="RayActorDied", message=_death_reason(exc))
            self._fail(batch, Attempt("error", 0.0, error=info))
        except TimeoutError:
            # The actor did not answer in time (an agent holding the interpreter in C
            # code): it is killed, as a worker process past its timeout is.
            with contextlib.suppress(Exception):
                ray.kill(slot.actor, no_restart=True)
            self._replace(slot)
            info = timeout_info(self._timeout)
            self._fail(batch, Attempt("timeout", self._timeout * 1000, error=info))
        except Exception as exc:  # Ray failed the call some other way: said for each run
            first = (str(exc).strip().splitlines() or ["no reason given"])[0]
            self._fail(
                batch,
                Attempt("error", 0.0, error=ErrorInfo(type=type(exc).__name__, message=first)),
            )
        else:
            offset = sent - datetime.fromtimestamp(result["received"]).astimezone()
            for item, reply in zip(batch, result["replies"], strict=True):
                if reply.get("dropped"):
                    item.answer.cancel()  # never started: not written, --resume runs it
                    continue
                attempt = self._attempt_of(reply, offset)
                _answer(item, self._local_paths(attempt, result["folder"]))
        finally:
            for item in batch:  # cancelled mid-way (the experiment is stopping at once)
                if not item.answer.done():
                    item.answer.cancel()
            slot.busy -= len(batch)
            self._wake.set()

    def _batch_bound(self, slot: _Slot, size: int) -> float:
        """How long a batch may take before its actor counts as stuck: every run of it
        waiting for a slot and running to its timeout, and a margin for Ray."""
        share = slot.limit - self._batch_size
        rounds = math.ceil((size + self._batch_size) / share) + 1
        return rounds * self._timeout + STUCK_MARGIN_SECONDS

    def _replace(self, slot: _Slot) -> None:
        slot.actor = self._new_actor(slot.limit - self._batch_size)
        slot.generation += 1

    @staticmethod
    def _fail(batch: list[_Pending], attempt: Attempt) -> None:
        for item in batch:
            _answer(item, attempt)

    def _attempt_of(self, reply: dict[str, Any], offset: timedelta) -> Attempt:
        try:
            calls = _on_driver_clock(reply.get("callback_calls", []), offset)
        except (ValidationError, TypeError, ValueError) as exc:
            unreadable = ErrorInfo(type=type(exc).__name__, message=f"unreadable reply: {exc}")
            return Attempt("error", 0.0, error=unreadable)
        if reply.get("timeout"):
            info = timeout_info(self._timeout)
            return Attempt("timeout", reply["duration_ms"], error=info, callback_calls=calls)
        return attempt_of(reply, calls)

    def _local_paths(self, attempt: Attempt, shipped: str) -> Attempt:
        """The attempt with the shipped copy's folder in its traceback read as
        working_directory: the user opens their own files, as after a local run."""
        error = attempt.error
        if error is not None and error.traceback:
            text = error.traceback.replace(shipped + os.sep, f"{self._folder}{os.sep}")
            attempt.error = error.model_copy(update={"traceback": text})
        return attempt

    def drop_queued(self) -> None:
        """Start no more runs: those not sent are cancelled, and each actor answers the
        runs still waiting for a slot as dropped (running ones go on)."""
        while self._pending:
            self._pending.popleft().answer.cancel()
        for slot in self._slots:
            with contextlib.suppress(Exception):
                slot.actor.drop_queued.remote()

    async def close(self) -> None:
        """Kill the actors (runs still on them end) and leave the cluster (a local Ray
        started for the experiment stops)."""
        self._dispatcher.cancel()
        for task in [self._dispatcher, *self._batches]:
            task.cancel()
        await asyncio.gather(self._dispatcher, *self._batches, return_exceptions=True)
        for slot in self._slots:
            with contextlib.suppress(Exception):
                ray.kill(slot.actor, no_restart=True)
        await asyncio.to_thread(ray.shutdown)
        self._remove_temp_dir()


def _check_reachable(address: str) -> None:
    """Fail at once when nothing listens at a ``HOST:PORT`` address (``ray.init`` would
    retry for minutes); other forms (``auto``) are left to Ray."""
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        return
    try:
        socket.create_connection((host.strip("[]"), int(port)), REACH_SECONDS).close()
    except OSError as exc:
        raise ConfigError(
            f"nothing answers at the Ray address {address} ({exc.strerror or exc})",
            key="runner.ray.address",
            hint="Start the cluster with `ray start --head` and give the address it prints "
            "(--ray-address, runner.ray.address or RAY_ADDRESS), or leave all three unset "
            "to run on a local Ray.",
        ) from None


def _answer(item: _Pending, attempt: Attempt) -> None:
    if not item.answer.done():
        item.answer.set_result(attempt)


def _death_reason(exc: RayActorError) -> str:
    """The first line of Ray's account of an actor's death, said for the run."""
    first = (str(exc).strip().splitlines() or ["no reason given"])[0]
    return f"the Ray actor running this run died before the run finished: {first}"


@contextlib.contextmanager
def _signals_kept() -> Any:
    """Keep this process's SIGINT and SIGTERM handlers: ray.init installs its own on the
    main thread, and Ctrl-C must stay the runner's (first: stop, second: kill)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)
