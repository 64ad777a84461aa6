"""Reading a chat-completions answer body, which may be anything a server sends.

The openai client builds its response objects without validating them, so an HTTP 200
whose body is HTML, a JSON array, or an object without ``choices`` reaches us as a string
or a half-filled object. The raw body is read here instead: either a usable answer comes
out, or ``BadAnswer`` says what was wrong with it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


class BadAnswer(Exception):
    """An HTTP 200 body that is not a usable chat completion; ``str()`` says why."""


@dataclass(frozen=True)
class Answer:
    """The first choice's text (None when the model sent no content) and token counts."""

    content: str | None
    prompt_tokens: int
    completion_tokens: int


def _tokens(usage: Any, name: str) -> int:
    # Some servers send `usage` with nulls or leave it out: not counted, not an error.
    value = usage.get(name) if isinstance(usage, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def read_answer(body: str, content_type: str) -> Answer:
    """The usable part of a chat-completions body, or ``BadAnswer``."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError):
        kind = content_type.split(";")[0].strip() or "no content type"
        raise BadAnswer(f"the answer was not JSON ({kind})") from None
    if not isinstance(data, dict):
        raise BadAnswer(f"the answer was a JSON {type(data).__name__}, not an object")
    choices = data.get("choices")
    if not isinstance(choices, list) or not choices:
        raise BadAnswer("the answer had no choices")
    first = choices[0]
    message = first.get("message") if isinstance(first, dict) else None
    if not isinstance(message, dict):
        raise BadAnswer("the answer's first choice had no message")
    content = message.get("content")
    if content is not None and not isinstance(content, str):
        raise BadAnswer(f"the answer's content was a JSON {type(content).__name__}, not text")
    usage = data.get("usage")
    return Answer(content, _tokens(usage, "prompt_tokens"), _tokens(usage, "completion_tokens"))
