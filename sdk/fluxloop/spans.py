"""Spans and the trace tree, kept in contextvars so asyncio tasks and threads nest right.

The hot path (a decorated call) only allocates a small object, reads the clock twice and
sets a context variable. Arguments and results are serialized only when someone consumes
the span: a :func:`capture_spans` block or the collector exporter.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import itertools
import random
import time
import traceback
from collections.abc import Iterator
from contextvars import ContextVar, Token
from typing import Any

from fluxloop import models
from fluxloop.config import get_config
from fluxloop.serialization import to_jsonable

_ids = itertools.count(1)
_current: ContextVar[Span | None] = ContextVar("fluxloop_span", default=None)
_captures: ContextVar[tuple[list[dict[str, Any]], ...]] = ContextVar(
    "fluxloop_captures", default=()
)
_EPOCH_NS = time.time_ns() - time.perf_counter_ns()


class TraceState:
    """The root of a tree: its spans, once finished, and whether it is exported.

    ``info`` holds the trace-level fields of the released API (name, session, user, tags,
    metadata), made only when ``instrument(...)`` or ``get_current_context()`` asks for
    them; ``context`` is that API's ``FluxLoopContext`` for this trace, made with it.
    """

    __slots__ = ("context", "exported", "info", "spans", "trace_id")

    def __init__(self, exported: bool) -> None:
        self.trace_id = f"t{next(_ids):x}-{random.getrandbits(32):08x}"
        self.exported = exported
        self.spans: list[dict[str, Any]] = []
        self.info: models.Trace | None = None
        self.context: object | None = None

    def fields(self, redact: tuple[str, ...]) -> dict[str, Any]:
        """The trace-level fields for the exporter (none unless ``info`` was made)."""
        info = self.info
        if info is None:
            return {}
        fields = {
            "name": info.name,
            "session_id": None if info.session_id is None else str(info.session_id),
            "user_id": info.user_id,
            "tags": list(info.tags),
            "metadata": info.metadata,
        }
        return dict(to_jsonable(fields, redact_keys=redact))


class Span:
    """One decorated call (or instrument block) in flight."""

    __slots__ = (
        "args",
        "captures",
        "kind",
        "kwargs",
        "metadata",
        "name",
        "parent",
        "signature",
        "span_id",
        "start_ns",
        "token",
        "trace",
        "usage",
    )

    name: str
    kind: str
    metadata: dict[str, Any] | None
    args: tuple[Any, ...] | None
    kwargs: dict[str, Any]
    parent: Span | None
    signature: inspect.Signature | None
    span_id: int
    trace: TraceState
    usage: dict[str, Any] | None
    captures: tuple[list[dict[str, Any]], ...]
    token: Token[Span | None] | None
    start_ns: int

    def __init__(
        self,
        name: str,
        kind: str,
        metadata: dict[str, Any] | None,
        args: tuple[Any, ...] | None,
        kwargs: dict[str, Any],
        signature: inspect.Signature | None = None,
        *,
        activate: bool = True,
    ) -> None:
        """Open a span under the current one; ``activate`` makes it the current span.

        ``args`` None means the inputs are not captured (``capture_input=False``);
        ``signature`` (the decorated function's) lets the legacy collector format send
        them by parameter name.

        Generators are not activated: between two ``yield``s the caller runs in the same
        context, and its own calls must not nest under the generator.
        """
        parent = _current.get()
        self.name = name
        self.kind = kind
        self.metadata = metadata
        self.args = args
        self.kwargs = kwargs
        self.signature = signature
        self.parent = parent
        self.span_id = next(_ids)
        self.usage = None
        if parent is not None:
            self.trace = parent.trace
        else:
            config = get_config()
            exported = config.exporting and (
                config.sample_rate >= 1.0 or random.random() < config.sample_rate
            )
            self.trace = TraceState(exported)
        self.captures = _captures.get()
        self.token = _current.set(self) if activate else None
        self.start_ns = time.perf_counter_ns()

    def finish(self, output: Any = None, error: BaseException | None = None) -> None:
        """Close the span; hand it to captures and, at the root, to the exporter."""
        end_ns = time.perf_counter_ns()
        if self.token is not None:
            try:
                _current.reset(self.token)
            except ValueError:  # finished in another context than it started in
                _current.set(self.parent)
        trace = self.trace
        if not (self.captures or trace.exported):
            return
        record = self._record(end_ns, output, error)
        for sink in self.captures:
            sink.append(record)
        if trace.exported:
            trace.spans.append(record)
            if self.parent is None:
                from fluxloop.exporter import submit

                fields = trace.fields(get_config().redact_keys)
                submit({"trace_id": trace.trace_id, "spans": trace.spans, **fields})

    def _record(self, end_ns: int, output: Any, error: BaseException | None) -> dict[str, Any]:
        config = get_config()
        redact = config.redact_keys
        record: dict[str, Any] = {
            "span_id": f"s{self.span_id:x}",
            "parent_id": f"s{self.parent.span_id:x}" if self.parent else None,
            "trace_id": self.trace.trace_id,
            "name": self.name,
            "kind": self.kind,
            "start": _iso(self.start_ns),
            "end": _iso(end_ns),
            "duration_ms": (end_ns - self.start_ns) / 1e6,
            "status": "error" if error is not None else "ok",
            "metadata": to_jsonable(self.metadata or {}, redact_keys=redact),
            "inputs": None
            if self.args is None
            else to_jsonable({"args": list(self.args), "kwargs": self.kwargs}, redact_keys=redact),
            "output": to_jsonable(output, redact_keys=redact),
        }
        if self.usage is not None:
            record["usage"] = to_jsonable(self.usage)
        if self.trace.exported and config.collector_format == "legacy":
            arguments = self._arguments()
            if arguments is not None:
                record["arguments"] = to_jsonable(arguments, redact_keys=redact)
        if error is not None:
            record["error"] = {
                "type": type(error).__name__,
                "message": str(error),
                "traceback": "".join(traceback.format_exception(error)),
            }
        return record

    def _arguments(self) -> dict[str, Any] | None:
        """The call's arguments by parameter name, defaults filled in (as 0.1.x sent them)."""
        if self.signature is None or self.args is None:
            return None
        try:
            bound = self.signature.bind(*self.args, **self.kwargs)
        except TypeError:  # the call itself failed on its arguments
            return None
        bound.apply_defaults()
        return dict(bound.arguments)


def _iso(perf_ns: int) -> str:
    moment = dt.datetime.fromtimestamp((perf_ns + _EPOCH_NS) / 1e9, tz=dt.UTC)
    return moment.isoformat()


def current_span() -> Span | None:
    """The innermost open span of this context, if any."""
    return _current.get()


@contextlib.contextmanager
def capture_spans() -> Iterator[list[dict[str, Any]]]:
    """Collect every span that finishes inside the block, as JSON-safe dicts.

    Works for asyncio tasks created inside the block and for threads run through
    ``contextvars.copy_context().run`` from inside it.
    """
    sink: list[dict[str, Any]] = []
    token = _captures.set((*_captures.get(), sink))
    try:
        yield sink
    finally:
        _captures.reset(token)
