"""``runner.http``: an agent reached over HTTP instead of imported.

The request body is a JSON template: ``{input}`` and ``{metadata.KEY}`` are replaced inside
its *string values* only (never by formatting the JSON text, so an input holding quotes or
braces can never change the request's shape). The answer's output is the value at
``response_path`` (a dot path, list items by number), or the whole answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_BODY: dict[str, Any] = {"input": "{input}"}

_PLACEHOLDER = re.compile(r"\{(input|metadata\.[^{}]+)\}")


class MissingMetadata(KeyError):
    """The body template names a metadata key this input does not have."""


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
        description="JSON template: {input} and {metadata.KEY} are replaced in string values",
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
    stream: Literal["none", "sse"] = Field(
        default="none",
        description="sse: the answer is server-sent events; their data: texts are joined "
        "into the output ([DONE] ends)",
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


def fill_template(template: Any, text: str, metadata: Mapping[str, Any]) -> Any:
    """``template`` with its placeholders replaced in every string value.

    A string that is exactly one ``{metadata.KEY}`` takes the metadata value as it is (a
    number stays a number); elsewhere values are written as text. Raises MissingMetadata.
    """
    if isinstance(template, str):
        return _fill_text(template, text, metadata)
    if isinstance(template, list):
        return [fill_template(item, text, metadata) for item in template]
    if isinstance(template, Mapping):
        return {key: fill_template(value, text, metadata) for key, value in template.items()}
    return template


def _lookup(name: str, text: str, metadata: Mapping[str, Any]) -> Any:
    if name == "input":
        return text
    key = name.removeprefix("metadata.")
    if key not in metadata:
        raise MissingMetadata(key)
    return metadata[key]


def _fill_text(value: str, text: str, metadata: Mapping[str, Any]) -> Any:
    whole = _PLACEHOLDER.fullmatch(value)
    if whole is not None:
        return _lookup(whole.group(1), text, metadata)

    def one(match: re.Match[str]) -> str:
        found = _lookup(match.group(1), text, metadata)
        return found if isinstance(found, str) else str(found)

    return _PLACEHOLDER.sub(one, value)


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
