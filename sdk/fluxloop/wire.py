"""What goes to a collector: the request headers, and the legacy (0.1.x) request bodies.

The SDK's own format posts batches of whole traces (``{"traces": [...]}``, see
:mod:`fluxloop.exporter`). The ``legacy`` format is what the released fluxloop 0.1.x SDK
sent, so a collector built for it keeps working: one ``POST /api/traces`` per trace, then
one ``POST /api/traces/{trace id}/observations`` per observation, with UUID ids, ISO
times and no ``null`` fields. :class:`fluxloop.FluxLoopClient` sends the same bodies.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from fluxloop.config import SDKConfig
from fluxloop.models import ObservationType, uuid_for
from fluxloop.serialization import to_jsonable
from fluxloop.version import installed_version

TRACES_PATH = "/api/traces"

# Span kinds of this SDK that have another name among 0.1.x observation types.
_LEGACY_TYPES = {"trace": "span", "prompt": "generation", "instrument": "span"}
_KNOWN_TYPES = {kind.value for kind in ObservationType}
_TOKEN_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


def headers(config: SDKConfig, api_key: str | None = None) -> dict[str, str]:
    """Headers of every collector request: key, service name and environment when set."""
    result = {
        "User-Agent": f"fluxloop-sdk/{installed_version()}",  # as 0.1.x sent it
        "Content-Type": "application/json",
    }
    key = api_key or config.api_key
    if key:
        result["Authorization"] = f"Bearer {key}"
    if config.service_name:
        result["X-Service-Name"] = config.service_name
    if config.environment:
        result["X-Environment"] = config.environment
    return result


def observations_path(trace_id: str) -> str:
    """Where the legacy format posts one observation of trace ``trace_id``."""
    return f"{TRACES_PATH}/{trace_id}/observations"


def model_body(model: Any, redact_keys: tuple[str, ...]) -> dict[str, Any]:
    """A ``Trace``/``Observation`` (or a mapping) as a JSON body without its None fields."""
    is_instance = dataclasses.is_dataclass(model) and not isinstance(model, type)
    data = dataclasses.asdict(model) if is_instance else dict(model)
    return _fields(to_jsonable(data, redact_keys=redact_keys))


def _fields(body: dict[str, Any]) -> dict[str, Any]:
    # Only the body's own null fields go (as 0.1.x's exclude_none); values stay as they are.
    return {key: value for key, value in body.items() if value is not None}


def legacy_requests(trace: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The (path, body) requests that send one exported trace in the legacy format.

    ``trace`` is what the exporter queues: ``trace_id``, ``spans`` (children first, the
    root last) and, when the released API set them, ``name``, ``session_id``, ``user_id``,
    ``tags`` and ``metadata``. An ``instrument`` block at the root is the trace itself (as
    in 0.1.x, where it opened the trace); every other span is an observation.
    """
    trace_id = str(uuid_for(trace["trace_id"]))
    spans: list[dict[str, Any]] = trace["spans"]
    root = next((span for span in spans if span.get("parent_id") is None), spans[-1])
    block = root.get("kind") == "instrument"
    body = {
        "id": trace_id,
        "name": trace.get("name") or root.get("name"),
        "start_time": root.get("start"),
        "end_time": root.get("end"),
        "session_id": trace.get("session_id"),
        "user_id": trace.get("user_id"),
        "metadata": trace.get("metadata", {}),
        "tags": trace.get("tags", []),
    }
    requests = [(TRACES_PATH, _fields(body))]
    skipped = root.get("span_id") if block else None
    for span in spans:
        if span.get("span_id") != skipped:
            requests.append((observations_path(trace_id), _observation(span, trace, skipped)))
    return requests


def _span_uuid(trace: dict[str, Any], span_id: str) -> str:
    return str(uuid_for(f"{trace['trace_id']}/{span_id}"))


def _observation(
    span: dict[str, Any], trace: dict[str, Any], skipped: str | None
) -> dict[str, Any]:
    kind = str(span.get("kind"))
    metadata = dict(span.get("metadata") or {})
    model = metadata.pop("model", None) if kind == "prompt" else None
    parent = span.get("parent_id")
    body: dict[str, Any] = {
        "id": _span_uuid(trace, str(span.get("span_id"))),
        "type": _LEGACY_TYPES.get(kind, kind if kind in _KNOWN_TYPES else "span"),
        "name": span.get("name"),
        "start_time": span.get("start"),
        "end_time": span.get("end"),
        "input": span.get("arguments", span.get("inputs")),
        "output": span.get("output"),
        "level": "info",
        "metadata": metadata,
        "model": model,
        "parent_observation_id": None
        if parent is None or parent == skipped
        else _span_uuid(trace, str(parent)),
        "trace_id": str(uuid_for(trace["trace_id"])),
    }
    usage = span.get("usage") or {}
    for field in _TOKEN_FIELDS:
        body[field] = usage.get(field)
    error = span.get("error")
    if isinstance(error, dict):
        body["error"] = error.get("message")
        metadata["error_type"] = error.get("type")
        metadata["traceback"] = error.get("traceback")
    return _fields(body)
