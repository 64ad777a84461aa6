"""The requests and replies of worker.py's :class:`~fluxloop_core.runner.worker.Agent`, on
the runner's side: what a worker process and a Ray actor are asked, and what their answer
becomes (one home for both executors)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from fluxloop_core.results.models import CallbackCall, ErrorInfo
from fluxloop_core.runner.binding import Replay
from fluxloop_core.runner.executor import Attempt, RunJob


def request_of(job: RunJob, replay: Replay | None) -> dict[str, Any]:
    """What the agent is called with: the input as the first argument, or (replay) the
    recorded call's kwargs with the input injected and the callables to bind."""
    if replay is None or job.call is None:
        return {"args": [job.input.text], "kwargs": {}, "callables": []}
    kwargs = replay.kwargs_for(job.call, job.input.text)
    return {"args": [], "kwargs": kwargs, "callables": list(job.callables)}


def attempt_of(reply: dict[str, Any], calls: list[CallbackCall]) -> Attempt:
    """The attempt an agent's reply describes (``calls``: its callback calls)."""
    try:
        error = ErrorInfo.model_validate(reply["error"]) if reply.get("error") else None
        duration = float(reply.get("duration_ms", 0.0))
    except (ValidationError, TypeError, ValueError) as exc:
        unreadable = ErrorInfo(type=type(exc).__name__, message=f"unreadable reply: {exc}")
        return Attempt("error", 0.0, error=unreadable, callback_calls=calls)
    return Attempt(
        "success" if reply.get("ok") else "error",
        duration,
        reply.get("output"),
        error,
        calls,
        list(reply.get("spans", [])),
    )
