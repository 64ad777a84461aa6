"""What one attempt passes to the agent, the same in every executor that calls Python.

Single runs: the input as the first argument, or (replay) the recorded call's kwargs with
the input at ``override_param_path``. A conversation's turn adds its history at
``conversation.history_param``; under replay the first turn is the recorded call as it
is (its own arguments, the input written in) and each later turn writes its message at
``override_param_path`` and the history at ``history_param``.
"""

from __future__ import annotations

from typing import Any

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
