"""How an exception the agent raised is written down: its message and its traceback.

Standard library only, and loaded by path by worker.py (which may run in an interpreter
without fluxloop_core), so every executor records the same text for the same failure.
"""

from __future__ import annotations

import asyncio
import os
import traceback

_RUNNER_FOLDER = os.path.dirname(os.path.abspath(__file__))
_ASYNCIO_FOLDER = os.path.dirname(os.path.abspath(asyncio.__file__))


def message_of(exc: BaseException) -> str:
    """``str(exc)``, or a note saying it failed (the agent's ``__str__`` may raise, or its
    args nest too deep)."""
    try:
        return str(exc)
    except Exception as failure:
        return "<str() of the exception raised " + type(failure).__name__ + ">"


def _calls_the_agent(filename: str) -> bool:
    """A frame of the machinery that calls the agent (this runner, or asyncio under it)."""
    folder = os.path.dirname(os.path.abspath(filename))
    return folder in (_RUNNER_FOLDER, _ASYNCIO_FOLDER)


def traceback_of(exc: BaseException) -> str:
    """The traceback from the agent's first frame: the frames of whatever called it (a
    thread pool, an event loop, a worker process) are left out, as they differ between
    executors and tell the user nothing."""
    frames = exc.__traceback__
    while (
        frames is not None
        and frames.tb_next is not None
        and _calls_the_agent(frames.tb_frame.f_code.co_filename)
    ):
        frames = frames.tb_next
    return "".join(traceback.format_exception(type(exc), exc, frames))
