"""The Ray actor of targets that are not imported (``runner.http``, ``runner.command``):
it builds its executor from a spec and runs attempts on it.

A spec is plain, picklable data with a ``build()`` that returns an
:class:`~fluxloop_core.runner.executor.Executor` (:class:`~fluxloop_core.runner.
http_executor.HttpSpec` builds the HTTP executor, :class:`~fluxloop_core.runner.
command_shipped.ShippedCommand` a command target's), so another target kind plugs in by
giving its own spec — the actor and the driver stay as they are. The actor is async: Ray
runs its calls on one event loop, the executor's (its connection pool is bound to it), up
to the actor's share of ``parallel_runs`` at once.
"""

from __future__ import annotations

from typing import Protocol

from fluxloop_core.runner.executor import Attempt, Executor, RunJob


class ExecutorSpec(Protocol):
    """What an actor builds its executor from (picklable)."""

    @property
    def deadline(self) -> float:
        """The longest an attempt may take (its executor ends it then)."""
        ...

    def build(self) -> Executor:
        """The executor, made on the event loop that will run its attempts."""
        ...


class SpecActor:
    """Builds ``spec``'s executor when asked if it is ready, then runs attempts."""

    def __init__(self, spec: ExecutorSpec) -> None:
        self._spec = spec
        self._executor: Executor | None = None

    async def ready(self) -> str | None:
        """None when the executor was built, else why not (the driver stops with it)."""
        try:
            self._executor = self._spec.build()
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return None

    async def run(self, job: RunJob) -> Attempt:
        """One attempt of ``job``."""
        assert self._executor is not None  # ready() came first
        attempt = await self._executor.attempt(job)
        # time.monotonic() of this node means nothing to the driver's scheduler.
        attempt.started = None
        return attempt

    async def close(self) -> None:
        """Release the executor's connections."""
        if self._executor is not None:
            await self._executor.close()
