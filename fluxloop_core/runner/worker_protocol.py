"""The requests and replies of worker.py's :class:`~fluxloop_core.runner.worker.Agent`, on
the runner's side: what a worker process and a Ray actor are asked, and what their answer
becomes (one home for both executors)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from fluxloop_core.results.models import CallbackCall, ErrorInfo
from fluxloop_core.runner.arguments import arguments_of
from fluxloop_core.runner.binding import Replay
from fluxloop_core.runner.executor import Attempt, RunJob


def request_of(job: RunJob, replay: Replay | None, history_param: str | None) -> dict[str, Any]:
    """What the agent is called with (:func:`~fluxloop_core.runner.arguments.arguments_of`),
    the recorded callables to bind and, for a conversation's turn without
    ``history_param``, the conversation whose one instance of the target is called."""
    args, kwargs = arguments_of(job, replay, history_param)
    request = {"args": args, "kwargs": kwargs, "callables": list(job.callables)}
    if job.conversation_id is not None and history_param is None:
        request["instance"] = job.conversation_id
    return request


def end_request(conversation_id: str) -> dict[str, Any]:
    """The line that frees a conversation's instance (it gets no answer)."""
    return {"end": conversation_id}


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
