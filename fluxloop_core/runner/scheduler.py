"""Schedule an experiment's runs: concurrency, retries and cancellation.

One event loop; every result funnels through it to the writer, so nothing is written
twice or from two threads. The scheduler asks an :class:`~fluxloop_core.runner.executor.
Executor` for one attempt at a time and never knows how it runs them: a new executor is
wired in :mod:`fluxloop_core.runner.experiment`, not here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Literal

from fluxloop_core.cancel import CancelToken
from fluxloop_core.evaluation.inline import InlineEvaluation
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.writer import ExperimentWriter
from fluxloop_core.runner.events import (
    EventSink,
    LoopBlocked,
    RunFailed,
    RunFinished,
    RunGraded,
    RunStarted,
)
from fluxloop_core.runner.executor import Attempt, Executor, RunJob
from fluxloop_core.runner.plan import ExperimentPlan
from fluxloop_core.usage import cost_usd, run_usage

GRACE_SECONDS = 5.0
"""How long runs in flight may finish after a graceful cancel."""
CHECKPOINT_SECONDS = 5.0
"""How often summary.json is refreshed while runs go on (so a crash leaves recent counts)."""
TICK_SECONDS = 0.2


def now() -> datetime:
    """The current time, in UTC (every timestamp of an experiment)."""
    return datetime.now(UTC)


class Scheduler:
    """Runs every job of ``plan`` not yet in ``writer``, ``parallel_runs`` at a time."""

    def __init__(
        self,
        plan: ExperimentPlan,
        writer: ExperimentWriter,
        emit: EventSink,
        cancel: CancelToken,
        executor: Callable[[], Executor],
        checkpoint: Callable[[], object],
        evaluation: InlineEvaluation | None = None,
    ) -> None:
        self.plan = plan
        self.writer = writer
        self.emit = emit
        self.cancel = cancel
        self._make_executor = executor  # made on the loop: a thread pool binds to it
        self._checkpoint = checkpoint
        self.evaluation = evaluation
        self._inflight: set[asyncio.Task[None]] = set()
        threads = evaluation.plan.grading_threads if evaluation is not None else 0
        self._grading = asyncio.Semaphore(threads) if threads else None
        self._loop_blocked_told = False
        self.stop_reason: str | None = None
        """Why the scheduler stopped on its own before every run (``--max-cost``)."""

    async def _run_one(self, executor: Executor, job: RunJob) -> None:
        runner = self.plan.config.runner
        self.emit(RunStarted(job.run_id, job.input.text, job.iteration))
        started_at = now().isoformat()
        attempts = 0
        while True:
            attempts += 1
            result = await executor.attempt(job)
            self._tell_if_loop_blocked(job, result)
            if attempts == 1 and result.started is not None:
                # The run may have waited in the pool's queue: its start is the thread's.
                waited = time.monotonic() - result.started
                started_at = (now() - timedelta(seconds=waited)).isoformat()
            if (
                result.status != "error"
                or not result.retryable
                or attempts > runner.max_retries
                or self.cancel.cancelled
            ):
                break
            await asyncio.sleep(max(runner.retry_delay, result.retry_after or 0.0))
        replay = self.plan.replay
        usage = run_usage(result.spans)
        record = TraceRecord(
            run_id=job.run_id,
            input_index=job.input_index,
            iteration=job.iteration,
            input=job.input.text,
            input_metadata=job.input.metadata,
            status=result.status,
            started_at=started_at,
            duration_ms=round(result.duration_ms, 3),
            attempts=attempts,
            output=result.output,
            callback_calls=result.callback_calls,
            spans=result.spans,
            error=result.error,
            replay_source=replay.source(job.call) if replay and job.call else None,
            usage=usage.to_json() if usage else None,
            cost_usd=cost_usd(usage, self.plan.config.pricing) if usage else None,
            # A conversation's turns, turn_count, termination_reason and persona.
            **(result.conversation or {}),
        )
        written = self.writer.add_run(record)
        self._stop_if_over_budget()
        if written.status == "success":
            preview = json.dumps(written.output, ensure_ascii=False)[:200]
            self.emit(
                RunFinished(
                    job.run_id,
                    written.input,
                    job.iteration,
                    written.duration_ms,
                    attempts,
                    preview,
                )
            )
        else:
            assert written.error is not None
            status: Literal["error", "timeout"] = (
                "timeout" if written.status == "timeout" else "error"
            )
            self.emit(
                RunFailed(
                    job.run_id,
                    written.input,
                    job.iteration,
                    written.duration_ms,
                    attempts,
                    status,
                    f"{written.error.type}: {written.error.message}",
                )
            )
        if self.evaluation is None:
            return
        if self._grading is None:
            await self._grade(self.evaluation, written)
            return
        # Checks that wait on an endpoint (an llm_judge) grade beside the next runs: the
        # run's slot is let go now; at most `grading_threads` gradings wait at once.
        await self._grading.acquire()
        task = asyncio.get_running_loop().create_task(self._grade(self.evaluation, written))
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        task.add_done_callback(lambda _: self._release_grading())

    def _release_grading(self) -> None:
        assert self._grading is not None
        self._grading.release()

    async def _grade(self, evaluation: InlineEvaluation, written: TraceRecord) -> None:
        # The line is queued here, on the writer's one thread, with the trace's.
        self.writer.add_result(await evaluation.add_soon(written))
        verdict = evaluation.last
        assert verdict is not None
        self.emit(
            RunGraded(
                written.run_id,
                verdict.passed,
                tuple(verdict.reasons),
                evaluation.graded_runs,
                evaluation.pass_rate,
                verdict.graded,
            )
        )

    def _stop_if_over_budget(self) -> None:
        """At ``--max-cost``: start no more runs (those in flight finish, as on Ctrl-C)."""
        budget = self.plan.max_cost_usd
        spent = self.writer.stats.cost_usd
        if budget is None or spent is None or spent < budget or self.stop_reason is not None:
            return
        self.stop_reason = (
            f"cost cap reached: the runs so far cost ${spent:.4f} of ${budget:g}; "
            "no new run was started"
        )
        self.cancel.cancel()

    def _tell_if_loop_blocked(self, job: RunJob, result: Attempt) -> None:
        """Warn, once, that an async agent blocked the loop past ``timeout_seconds``."""
        timeout = self.plan.config.runner.timeout_seconds
        if self._loop_blocked_told or result.loop_held <= timeout:
            return
        self._loop_blocked_told = True
        target = self.plan.config.runner.resolved_target
        self.emit(LoopBlocked(target, job.run_id, result.loop_held, timeout))

    async def _produce(self, executor: Executor, slots: asyncio.Semaphore) -> None:
        loop = asyncio.get_running_loop()
        for job in self.plan.jobs(self.writer.done_ids):
            await slots.acquire()
            if self.cancel.cancelled:  # may have come from another thread meanwhile
                slots.release()
                return
            task = loop.create_task(self._run_one(executor, job))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            task.add_done_callback(lambda _: slots.release())

    async def _tick(self) -> None:
        last_checkpoint = time.monotonic()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self.writer.flush()
            if time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
                self._checkpoint()
                last_checkpoint = time.monotonic()

    async def run(self) -> None:
        """Schedule every run, honouring cancel; returns when nothing is left in flight."""
        loop = asyncio.get_running_loop()
        stop, force = asyncio.Event(), asyncio.Event()

        def on_cancel(forced: bool) -> None:
            def flag() -> None:
                stop.set()
                if forced:
                    force.set()

            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(flag)

        unsubscribe = self.cancel.subscribe(on_cancel)
        if self.cancel.cancelled:
            stop.set()
        if self.cancel.forced:
            force.set()
        executor = self._make_executor()
        ticker = loop.create_task(self._tick())
        # Under a cost cap nothing waits in a queue: a run starts only once the cost of
        # those before it is known, so at most the runs in flight go past the cap.
        prefetch = 0 if self.plan.max_cost_usd is not None else executor.prefetch
        producer = loop.create_task(
            self._produce(executor, asyncio.Semaphore(self.plan.parallel_runs + prefetch))
        )
        stopper = loop.create_task(stop.wait())
        try:
            await asyncio.wait({producer, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if producer.done():
                producer.result()  # a bug in scheduling must surface, not hang
                while self._inflight and not stop.is_set():
                    await asyncio.wait(
                        {*self._inflight, stopper}, return_when=asyncio.FIRST_COMPLETED
                    )
            else:
                producer.cancel()
                await asyncio.gather(producer, return_exceptions=True)
            executor.drop_queued()
            if self._inflight and not force.is_set():
                # Until every run in flight is done, a second cancel, or the grace ends.
                forcer = loop.create_task(force.wait())
                deadline = loop.time() + GRACE_SECONDS
                while self._inflight and not forcer.done() and loop.time() < deadline:
                    await asyncio.wait(
                        {*self._inflight, forcer},
                        timeout=deadline - loop.time(),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                forcer.cancel()
                # Whatever is still running is not finished: it is not written, and
                # --resume runs it again.
            for task in list(self._inflight):
                task.cancel()
            await asyncio.gather(*self._inflight, return_exceptions=True)
        finally:
            unsubscribe()
            stopper.cancel()
            ticker.cancel()
            producer.cancel()
            await asyncio.gather(ticker, stopper, producer, return_exceptions=True)
            await executor.close()
