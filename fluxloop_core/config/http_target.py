"""``runner.http``: an agent reached over HTTP instead of imported.

The request body is a JSON template: ``{input}``, ``{metadata.KEY}``, ``{history}`` (the
conversation so far) and, when replaying, ``{kwargs}`` / ``{kwargs.PATH}`` (the recorded
call's arguments) are replaced inside its *string values* only (never by formatting the
JSON text, so an input holding quotes or braces can never change the request's shape).
The answer's output is the value at ``response_path`` (a dot path, list items by number),
or the whole answer.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

from fluxloop_core.redaction import REDACTED

DEFAULT_BODY: dict[str, Any] = {"input": "{input}"}

_PLACEHOLDER = re.compile(r"\{(input|history|kwargs|(?:metadata|kwargs)\.[^{}]+)\}")
_KWARGS = re.compile(r"\{kwargs(\.[^{}]+)?\}")
_HISTORY = re.compile(r"\{history\}")


class MissingMetadata(KeyError):
    """The body template names a metadata key this input does not have."""


class MissingKwarg(KeyError):
    """The body template names a recorded argument the replayed call does not have (or
    there is no replay at all)."""


class HttpTarget(BaseModel):
    """Where and how each run's request goes."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)

    url: str = Field(description="http:// or https:// address of the agent; ${VAR} expands")
    # No GET: the input travels in the body, and a GET has none.
    method: Literal["POST", "PUT", "PATCH"] = Field(
        default="POST", description="the request's method (the body carries the input)"
    )
    headers: dict[str, str] = Field(
        default_factory=dict,
        description="request headers (${VAR} expands; values are never stored in traces)",
    )
    body: Any = Field(
        default_factory=lambda: dict(DEFAULT_BODY),
        description="JSON template: {input}, {metadata.KEY}, {history} and (replay) "
        "{kwargs} / {kwargs.PATH} are replaced in string values (replay without a body: "
        "the recorded arguments are the body)",
    )
    response_path: str | None = Field(
        default=None,
        description='dot path into the JSON answer, e.g. "reply.text" or "choices.0.text" '
        "(default: the whole answer)",
    )
    timeout_seconds: float | None = Field(
        default=None,
        gt=0,
        description="total time per request, connect to last byte (default: "
        "runner.timeout_seconds)",
    )
    stream: Literal["none", "sse", "jsonl"] = Field(
        default="none",
        description="sse: the answer is server-sent events; their data: texts are joined "
        "into the output ([DONE] ends). jsonl: the answer is JSON lines; each line's value "
        "at response_path is joined (text) or listed",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(
                "must be an http:// or https:// address with a host, "
                'e.g. "http://127.0.0.1:8080/chat"'
            )
        return value

    @field_validator("response_path")
    @classmethod
    def _dot_path(cls, value: str | None) -> str | None:
        if value is not None and (not value or any(not part for part in value.split("."))):
            raise ValueError(
                f"{value!r} is not a dot path: names separated by single dots, "
                'e.g. "reply.text" or "choices.0.message.content"'
            )
        return value

    @field_validator("body")
    @classmethod
    def _json_body(cls, value: Any) -> Any:
        if not _is_json(value):
            raise ValueError("must be JSON: mappings, lists, text, numbers, booleans or null")
        return value


def _is_json(value: Any) -> bool:
    if value is None or isinstance(value, str | bool | int | float):
        return True
    if isinstance(value, list):
        return all(_is_json(item) for item in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _is_json(v) for k, v in value.items())
    return False


def uses_kwargs(template: Any) -> bool:
    """Whether ``template`` names the recorded call's arguments anywhere."""
    return _mentions(template, _KWARGS)


def uses_history(template: Any) -> bool:
    """Whether ``template`` takes the conversation's history anywhere."""
    return _mentions(template, _HISTORY)


def _mentions(template: Any, pattern: re.Pattern[str]) -> bool:
    if isinstance(template, str):
        return pattern.search(template) is not None
    if isinstance(template, list):
        return any(_mentions(item, pattern) for item in template)
    if isinstance(template, Mapping):
        return any(_mentions(value, pattern) for value in template.values())
    return False


@dataclass(frozen=True)
class TemplateValues:
    """What a body template's placeholders are replaced with, for one request."""

    text: str
    metadata: Mapping[str, Any] = field(default_factory=dict)
    kwargs: Mapping[str, Any] | None = None
    """The replayed call's arguments (None: no replay)."""
    history: Sequence[Mapping[str, str]] | None = None
    """The conversation so far (None: outside conversations, where it is this message)."""


def fill_template(template: Any, text: str, metadata: Mapping[str, Any]) -> Any:
    """``template`` with ``{input}`` and ``{metadata.KEY}`` replaced (see :func:`fill`)."""
    return fill(template, TemplateValues(text, metadata))


def fill(template: Any, values: TemplateValues) -> Any:
    """``template`` with its placeholders replaced in every string value.

    A string that is exactly one placeholder takes the value as it is (a number stays a
    number, ``{history}`` a list); elsewhere values are written as text (JSON for
    mappings and lists). Raises MissingMetadata or MissingKwarg.
    """
    if isinstance(template, str):
        return _fill_text(template, values)
    if isinstance(template, list):
        return [fill(item, values) for item in template]
    if isinstance(template, Mapping):
        return {key: fill(value, values) for key, value in template.items()}
    return template


def _lookup(name: str, values: TemplateValues) -> Any:
    if name == "input":
        return values.text
    if name == "history":
        if values.history is None:
            return [{"role": "user", "content": values.text}]
        return [dict(message) for message in values.history]
    if name == "kwargs" or name.startswith("kwargs."):
        if values.kwargs is None:
            raise MissingKwarg(name)
        try:
            return value_at(values.kwargs, name.partition(".")[2] or None)
        except MissingPath:
            raise MissingKwarg(name) from None
    key = name.removeprefix("metadata.")
    if key not in values.metadata:
        raise MissingMetadata(key)
    return values.metadata[key]


def _fill_text(value: str, values: TemplateValues) -> Any:
    whole = _PLACEHOLDER.fullmatch(value)
    if whole is not None:
        return _lookup(whole.group(1), values)

    def one(match: re.Match[str]) -> str:
        found = _lookup(match.group(1), values)
        if isinstance(found, str):
            return found
        return json.dumps(found) if isinstance(found, list | Mapping) else str(found)

    return _PLACEHOLDER.sub(one, value)


def hidden_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Header names with every value hidden, wherever headers are shown or stored: request
    headers are credentials more often than not, under any name."""
    return dict.fromkeys(headers, REDACTED)


class MissingPath(LookupError):
    """The answer has nothing at ``response_path``."""


def value_at(data: Any, path: str | None) -> Any:
    """The value at dot ``path`` in ``data`` (list items by number); raises MissingPath."""
    if path is None:
        return data
    current = data
    for step, part in enumerate(path.split(".")):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            walked = ".".join(path.split(".")[:step]) or "the answer"
            raise MissingPath(f"response_path {path!r}: {walked} has no {part!r}")
    return current
