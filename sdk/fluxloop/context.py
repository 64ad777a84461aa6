"""``instrument(...)``, ``get_current_context()`` and ``FluxLoopContext`` (released 0.1.x API).

A context is the handle of one trace: its trace-level fields (``context.trace``: name,
id, session, user, tags, metadata) and the calls that change them. It is made only when
asked for, so plain decorated calls never pay for it. ``instrument`` opens a span like
any decorated call (so it nests, and the FluxLoop runner captures it) and yields the
context of the trace it belongs to.
"""

from __future__ import annotations

import uuid
from types import TracebackType
from typing import Any

from fluxloop import config as _config
from fluxloop.models import Trace, uuid_for
from fluxloop.spans import Span, TraceState, current_span


class FluxLoopContext:
    """The trace a block or decorated call belongs to; ``trace`` holds its fields."""

    def __init__(self, trace: Trace, state: TraceState | None = None) -> None:
        self.trace = trace
        self._state = state

    def is_enabled(self) -> bool:
        """Whether tracing is on (``configure(enabled=...)``)."""
        return self._state is not None and _config.get_config().enabled

    def add_metadata(self, key: str, value: Any) -> None:
        """Add one metadata entry to the trace."""
        self.trace.metadata[key] = value

    def add_tag(self, tag: str) -> None:
        """Tag the trace (each tag once)."""
        if tag not in self.trace.tags:
            self.trace.tags.append(tag)

    def set_user(self, user_id: str) -> None:
        """Set the trace's user id."""
        self.trace.user_id = user_id


def _root_name(span: Span) -> str:
    while span.parent is not None:
        span = span.parent
    return span.name


def _context_of(span: Span) -> FluxLoopContext:
    state = span.trace
    if not isinstance(state.context, FluxLoopContext):
        state.info = Trace(name=_root_name(span), id=uuid_for(state.trace_id))
        state.context = FluxLoopContext(state.info, state)
    return state.context


def get_current_context() -> FluxLoopContext | None:
    """The context of the trace being recorded here, or None outside any trace."""
    span = current_span()
    return None if span is None else _context_of(span)


def _as_uuid(value: uuid.UUID | str | None) -> uuid.UUID | None:
    if value is None or isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None  # as 0.1.x: an id that is not a UUID is ignored


class instrument:
    """Trace a block: ``with fluxloop.instrument("checkout", user_id="u1") as context:``.

    Opens an ``"instrument"`` span (``async with`` works too) and yields the
    :class:`FluxLoopContext` of its trace. At the root of a trace the keywords set the
    trace's fields (``trace_id``: a UUID or its text, used as the trace's id); inside
    another trace the block is a child span and they are added to the enclosing trace.
    """

    def __init__(
        self,
        name: str,
        session_id: uuid.UUID | None = None,
        user_id: str | None = None,
        metadata: dict[str, Any] | None = None,
        tags: list[str] | None = None,
        trace_id: uuid.UUID | str | None = None,
    ) -> None:
        self.name = name
        self.session_id = session_id
        self.user_id = user_id
        self.metadata = metadata
        self.tags = tags
        self.trace_id = trace_id
        self._span: Span | None = None

    def __enter__(self) -> FluxLoopContext:
        if not _config.get_config().enabled:
            return FluxLoopContext(self._fields(Trace(name=self.name)))
        span = self._span = Span(self.name, "instrument", self.metadata, (), {})
        wanted = _as_uuid(self.trace_id)
        if span.parent is None and wanted is not None:
            span.trace.trace_id = str(wanted)
        context = _context_of(span)
        self._fields(context.trace)
        return context

    def _fields(self, trace: Trace) -> Trace:
        if self.session_id is not None:
            trace.session_id = self.session_id
        if self.user_id is not None:
            trace.user_id = self.user_id
        trace.metadata.update(self.metadata or {})
        for tag in self.tags or ():
            if tag not in trace.tags:
                trace.tags.append(tag)
        return trace

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._span is not None:
            self._span.finish(error=exc)
            self._span = None

    async def __aenter__(self) -> FluxLoopContext:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)
