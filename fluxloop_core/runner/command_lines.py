"""The lines a command target reads and writes (schema version 1).

A request is one JSON object on one line::

    {"v": 1, "run_id": "3.0", "input": "Hello", "metadata": {...},
     "kwargs": {...recorded, replaying} | null,
     "history": [{"role": "user", "content": "Hello"}] | null}

and the answer is one JSON object on one line::

    {"v": 1, "output": <any JSON>}            or   {"v": 1, "error": "why" | {"type",
    "message", "traceback"}}

with, beside either, ``usage`` (``{"prompt_tokens", "completion_tokens", "model"}``, the
run's whole use when no span carries it) and ``spans`` (a list of objects shaped like the
Python SDK's: ``name``, ``kind``, ``usage``, ...), so an agent in any language reports what
the SDK reports. The agent's lines are hostile data: anything else is a :class:`BadAnswer`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fluxloop_core.results.models import ErrorInfo
from fluxloop_core.runner.arguments import sent_kwargs
from fluxloop_core.runner.executor import RunJob

SCHEMA_VERSION = 1
MAX_LINE_BYTES = 16 * 1024 * 1024
"""A longer answer line is an error: a run's output is held in memory and written to a
trace."""
MAX_SPANS = 1000
"""Spans kept from one answer (the rest are dropped: a trace line stays bounded)."""
QUOTED_CHARS = 200
"""How much of a bad line an error message quotes."""
USAGE_SPAN = "command.usage"
"""The span an answer's ``usage`` becomes, so it is counted like an SDK LLM span."""


class BadAnswer(ValueError):
    """The agent's answer does not follow the schema (the message says how)."""


@dataclass
class Answer:
    """What one answer line said."""

    output: Any = None
    error: ErrorInfo | None = None
    spans: list[dict[str, Any]] = field(default_factory=list)


def request_line(job: RunJob, override_path: str | None = None) -> bytes:
    """``job`` as one request line (newline-terminated UTF-8); replaying, ``kwargs`` are
    the recorded call's with the input at ``override_path``."""
    request = {
        "v": SCHEMA_VERSION,
        "run_id": job.run_id,
        "input": job.input.text,
        "metadata": job.input.metadata,
        "kwargs": sent_kwargs(job, override_path),
        "history": list(job.history) if job.history is not None else None,
    }
    # default=str: metadata from YAML may hold dates; an agent reads them as text. ASCII
    # escapes: a lone surrogate in an input cannot break the UTF-8 line.
    return (json.dumps(request, default=str) + "\n").encode()


def quoted(data: bytes) -> str:
    """The start of ``data`` as text for an error message."""
    text = data.decode("utf-8", "replace").strip()
    return repr(text[:QUOTED_CHARS]) + ("..." if len(text) > QUOTED_CHARS else "")


def _error(value: Any) -> ErrorInfo:
    if isinstance(value, str):
        return ErrorInfo(type="AgentError", message=value)
    if isinstance(value, Mapping) and isinstance(value.get("message"), str):
        kind, trace = value.get("type", "AgentError"), value.get("traceback")
        return ErrorInfo(
            type=kind if isinstance(kind, str) and kind else "AgentError",
            message=value["message"],
            traceback=trace if isinstance(trace, str) else None,
        )
    raise BadAnswer('"error" must be a text or {"type", "message", "traceback"}')


def _spans(answer: Mapping[str, Any]) -> list[dict[str, Any]]:
    spans = answer.get("spans")
    if spans is None:
        spans = []
    if not isinstance(spans, list) or not all(isinstance(s, dict) for s in spans):
        raise BadAnswer('"spans" must be a list of objects')
    kept = list(spans[:MAX_SPANS])
    usage = answer.get("usage")
    if usage is not None:
        if not isinstance(usage, dict):
            raise BadAnswer('"usage" must be an object: {"prompt_tokens", "completion_tokens"}')
        kept.append({"name": USAGE_SPAN, "kind": "llm", "usage": usage})
    return kept


def read_answer(line: bytes) -> Answer:
    """The answer on ``line``; raises BadAnswer for anything but a schema-1 answer."""
    try:
        answer = json.loads(line)
    except ValueError:
        raise BadAnswer(f"the agent printed a line that is not JSON: {quoted(line)}") from None
    if not isinstance(answer, dict):
        raise BadAnswer(f"an answer line must be a JSON object, not {quoted(line)}")
    return answer_of(answer)


def answer_of(answer: dict[str, Any]) -> Answer:
    """The answer a parsed answer object says; raises BadAnswer when it breaks the schema."""
    version = answer.get("v")
    if version != SCHEMA_VERSION:
        raise BadAnswer(
            f'the answer has schema version "v": {json.dumps(version)[:QUOTED_CHARS]}; '
            f'FluxLoop reads version {SCHEMA_VERSION} (add "v": {SCHEMA_VERSION})'
        )
    if ("output" in answer) == ("error" in answer):
        raise BadAnswer('an answer has exactly one of "output" and "error"')
    spans = _spans(answer)
    if "error" in answer:
        return Answer(error=_error(answer["error"]), spans=spans)
    return Answer(output=answer["output"], spans=spans)
