"""The runner's few touch points with the ``fluxloop`` SDK, in one place.

Spans are captured per run with ``fluxloop.capture_spans()``, outputs and callback
arguments are serialized like recordings with ``fluxloop.serialization.to_jsonable`` and
the collector is switched on or off with ``fluxloop.configure``.
"""

from __future__ import annotations

import contextlib
import importlib
import json
from collections.abc import Iterator
from typing import Any

# Imported by name: the SDK lives in sdk/, outside the tree mypy checks from here.
fluxloop: Any = importlib.import_module("fluxloop")

MARKER_ATTR = "__fluxloop_marker__"


def _serializer() -> Any:
    try:
        serialization = importlib.import_module("fluxloop.serialization")
    except ImportError:  # an SDK older than the runner: fall back to plain JSON + repr
        return None
    return getattr(serialization, "to_jsonable", None)


_TO_JSONABLE = _serializer()


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON data, the way recordings store it (no data loss)."""
    if _TO_JSONABLE is not None:
        return _TO_JSONABLE(value)
    return json.loads(json.dumps(value, default=lambda v: f"<repr:{v!r}>"))


@contextlib.contextmanager
def capture_spans() -> Iterator[list[dict[str, Any]]]:
    """Collect the SDK spans that finish inside the block (none with an older SDK)."""
    capture = getattr(fluxloop, "capture_spans", None)
    if capture is None:
        yield []
        return
    with capture() as spans:
        yield spans


def configure(**fields: Any) -> None:
    """``fluxloop.configure(**fields)`` when the SDK has it."""
    configure_sdk = getattr(fluxloop, "configure", None)
    if configure_sdk is not None:
        configure_sdk(**fields)
