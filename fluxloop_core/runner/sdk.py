"""The runner's few touch points with the ``fluxloop`` SDK, in one place.

Spans are captured per run with ``fluxloop.capture_spans()``, outputs and callback
arguments are serialized like recordings with ``fluxloop.serialization.to_jsonable``, and
the collector is switched on or off with ``fluxloop.configure``.
"""

from __future__ import annotations

from typing import Any

import fluxloop
from fluxloop.serialization import MARKER_ATTR

capture_spans = fluxloop.capture_spans
configure = fluxloop.configure
flush = fluxloop.flush

__all__ = [
    "MARKER_ATTR",
    "capture_spans",
    "collector_variables",
    "configure",
    "flush",
    "to_jsonable",
]


def to_jsonable(value: Any) -> Any:
    """``value`` as plain JSON data, the way recordings store it (secrets redacted the
    same way, by the SDK's configured key list)."""
    return fluxloop.serialization.to_jsonable(value, redact_keys=fluxloop.get_config().redact_keys)


def collector_variables() -> dict[str, str]:
    """The SDK's collector settings in this process (as :func:`configure` left them), as
    the environment variables that give a worker process the same ones."""
    config = fluxloop.get_config()
    variables = {
        "FLUXLOOP_USE_COLLECTOR": "true" if config.use_collector else "false",
        "FLUXLOOP_COLLECTOR_FORMAT": config.collector_format,
    }
    if config.collector_url:
        variables["FLUXLOOP_COLLECTOR_URL"] = config.collector_url
    if config.api_key:
        variables["FLUXLOOP_API_KEY"] = config.api_key
    return variables
