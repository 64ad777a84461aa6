"""What one attempt passes to the agent, the same in every executor that calls Python.

Single runs: the input as the first argument, or (replay) the recorded call's kwargs with
the input at ``override_param_path``. A conversation's turn adds its history at
``conversation.history_param``; under replay the first turn is the recorded call as it
is (its own arguments, the input written in) and each later turn writes its message at
``override_param_path`` and the history at ``history_param``.
"""

from __future__ import annotations

from typing import Any

from fluxloop_core.paths import set_path
from fluxloop_core.runner.binding import Replay
from fluxloop_core.runner.executor import RunJob


def arguments_of(
    job: RunJob, replay: Replay | None, history_param: str | None
) -> tuple[list[Any], dict[str, Any]]:
    """``(args, kwargs)`` of ``job``'s call (callable markers of a replayed call are left
    for the executor to bind)."""
    history = None if job.history is None else [dict(message) for message in job.history]
    if replay is None or job.call is None:
        if history is None or history_param is None:
            return [job.input.text], {}
        return [job.input.text], {history_param: history}
    kwargs = replay.kwargs_for(job.call, job.input.text)
    if history is not None and len(history) > 1 and history_param is not None:
        kwargs[history_param] = history
    return [], kwargs


def sent_kwargs(job: RunJob, override_path: str | None) -> dict[str, Any] | None:
    """The recorded call's kwargs as sent to an agent that is not imported (``runner.http``
    body, ``runner.command`` request line): the input (this turn's message) at
    ``override_path``, callables left out (they were mapped to ``capture``); None when
    ``job`` replays nothing."""
    if job.call is None:
        return None
    kwargs = job.call.copy_kwargs()
    for name in job.callables:
        kwargs.pop(name, None)
    if override_path:
        set_path(kwargs, override_path, job.input.text)
    return kwargs
