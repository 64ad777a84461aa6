"""``executor: ray`` for targets that are not imported: the actors
(:mod:`~fluxloop_core.runner.ray_spec_actor`) send the requests (``runner.http``) or run
the programs (``runner.command``).

Joining the cluster, shipping, Ctrl-C and shutting down are :class:`RayExecutor`'s; what
differs is what runs on the actors — an executor each builds from a spec (plain data),
with its share of ``parallel_runs`` — and that a run is one Ray call (no batches: the
attempt itself waits on I/O, so a Ray call per run costs little beside it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import ray
from ray.exceptions import RayActorError, RayError

from fluxloop_core.errors import TargetError
from fluxloop_core.results.models import ErrorInfo
from fluxloop_core.runner.executor import Attempt, RunJob, timeout_info
from fluxloop_core.runner.plan import ExperimentPlan
from fluxloop_core.runner.ray_executor import (
    STUCK_MARGIN_SECONDS,
    RayExecutor,
    _death_reason,
    _Slot,
    actor_count,
    shares,
    start_problem,
)
from fluxloop_core.runner.ray_spec_actor import ExecutorSpec, SpecActor


class RaySpecExecutor(RayExecutor):
    """Runs attempts on actors that each build an executor from ``spec_for(share)``."""

    def __init__(self, plan: ExperimentPlan, spec_for: Callable[[int], ExecutorSpec]) -> None:
        self._spec_for = spec_for
        self._deadline = spec_for(1).deadline
        super().__init__(plan)
        self.prefetch = 0  # the scheduler holds at most parallel_runs: none wait here

    def _start_actors(self, plan: ExperimentPlan) -> list[_Slot]:
        runner = plan.config.runner
        count = actor_count(plan)
        remote = ray.remote(SpecActor)

        def new_actor(share: int) -> Any:
            return remote.options(
                max_concurrency=share + 2,  # +2: ready() and close()
                num_cpus=0,
                scheduling_strategy="SPREAD",
            ).remote(self._spec_for(share))

        self._new_actor = new_actor
        slots = [_Slot(new_actor(share), share) for share in shares(plan.parallel_runs, count)]
        problem = start_problem(slots)
        if problem is not None:
            raise TargetError(
                f"the Ray actors could not prepare {runner.resolved_target}: {problem}",
                key="runner.executor",
                hint="Install what the actors need on the cluster's nodes (fluxloop's "
                "dependencies pydantic and httpx; a command target's program), or use "
                "executor local.",
            )
        return slots

    def _replace(self, slot: _Slot) -> None:
        slot.actor = self._new_actor(slot.limit)

    async def attempt(self, job: RunJob) -> Attempt:
        """Send ``job`` to the actor with the most room and wait for its attempt."""
        slot = max(self._slots, key=lambda s: s.limit - s.busy)
        actor = slot.actor
        slot.busy += 1
        try:
            ref = actor.run.remote(job)
            bound = self._deadline + STUCK_MARGIN_SECONDS
            attempt: Attempt = await asyncio.wait_for(asyncio.wrap_future(ref.future()), bound)
            return attempt
        except RayActorError as exc:
            if slot.actor is actor:  # the first of its runs to hear of its death
                self._replace(slot)
            return Attempt(
                "error", 0.0, error=ErrorInfo(type="RayActorDied", message=_death_reason(exc))
            )
        except TimeoutError:
            with contextlib.suppress(Exception):
                ray.kill(actor, no_restart=True)
            if slot.actor is actor:
                self._replace(slot)
            return Attempt("timeout", self._deadline * 1000, error=timeout_info(self._deadline))
        except RayError as exc:
            first = (str(exc).strip().splitlines() or ["no reason given"])[0]
            return Attempt("error", 0.0, error=ErrorInfo(type=type(exc).__name__, message=first))
        finally:
            slot.busy -= 1

    def drop_queued(self) -> None:
        """Nothing waits here: at most ``parallel_runs`` runs are sent at once."""

    async def close(self) -> None:
        """Close the actors' connections, then kill them and leave the cluster."""
        closing = [slot.actor.close.remote() for slot in self._slots]
        with contextlib.suppress(Exception):
            await asyncio.wait_for(asyncio.gather(*closing), 5.0)
        await super().close()
