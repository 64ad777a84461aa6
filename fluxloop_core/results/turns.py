"""A conversation's turns as its trace line holds them (``turns``), read back.

The runner writes them (:mod:`fluxloop_core.runner.conversation`); evaluation grades them
and the TUI shows them. A trace line may have been edited by hand: a ``turns`` that is not
a list of turns is :class:`UnreadableTurns`, never a crash.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fluxloop_core.results.models import CallbackCall, ErrorInfo, RunStatus, TraceRecord


class Turn(BaseModel):
    """One message of a conversation: the user's (``source`` says who wrote it) or the
    agent's (with how that turn went)."""

    model_config = ConfigDict(extra="ignore")

    role: str
    content: Any = None
    source: str | None = None
    status: RunStatus = "success"
    duration_ms: float = 0.0
    error: ErrorInfo | None = None
    callback_calls: list[CallbackCall] = Field(default_factory=list)
    spans: list[dict[str, Any]] = Field(default_factory=list)


class UnreadableTurns(Exception):
    """A trace line's ``turns`` is not a list of turns."""


def read_turns(record: TraceRecord) -> list[Turn] | None:
    """The turns of a conversation's run; None for a single call."""
    raw = (record.model_extra or {}).get("turns")
    if raw is None:
        return None
    if not isinstance(raw, list):
        raise UnreadableTurns("this run's turns cannot be read")
    try:
        return [Turn.model_validate(turn) for turn in raw]
    except ValidationError:
        raise UnreadableTurns("this run's turns cannot be read") from None
