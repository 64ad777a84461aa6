"""The chat messages that ask a model for variations, and reading its answer."""

from __future__ import annotations

import json
import re
from typing import Any

from fluxloop_core.counts import counted

STRATEGY_GUIDANCE = {
    "rephrase": "Say the same thing in different words, keeping the meaning and intent.",
    "verbose": "Make it longer and chattier, adding context and politeness a real user adds.",
    "concise": "Make it as short as possible while keeping the request recognisable.",
    "error_prone": "Add realistic typos, odd casing and missing punctuation.",
    "edge_case": "Make tricky inputs: ambiguous, very long, unusual unicode, or injection-like.",
}

SYSTEM = (
    "You write test inputs for an AI agent. Answer with a JSON array of strings only — "
    "no prose, no code fence."
)


def variation_messages(text: str, strategy: str, count: int) -> list[dict[str, str]]:
    """Messages asking for ``count`` variations of ``text`` with ``strategy``."""
    user = (
        f"Strategy: {strategy}. {STRATEGY_GUIDANCE[strategy]}\n"
        f"Write {counted(count, 'distinct variation')} of this user input:\n"
        f"{json.dumps(text, ensure_ascii=False)}\n"
        f"Answer with a JSON array of exactly {count} strings."
    )
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]


def reask_message(count: int) -> dict[str, str]:
    """The follow-up sent once when an answer could not be read."""
    return {
        "role": "user",
        "content": f"That was not a JSON array of strings. Reply with only a JSON array of "
        f'{count} strings, like ["first", "second"].',
    }


_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([\]}])")


def parse_variations(content: str | None) -> list[str] | None:
    """The strings of an answer, repairing common slips; None when it cannot be read.

    Accepts a JSON array, ``{"variations": [...]}``, a fenced block, text around the
    array, and trailing commas.
    """
    if not content:
        return None
    text = content.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    candidates = [text]
    start, end = text.find("["), text.rfind("]")
    if 0 <= start < end:
        candidates.append(text[start : end + 1])
    for candidate in candidates:
        for attempt in (candidate, _TRAILING_COMMA.sub(r"\1", candidate)):
            try:
                data: Any = json.loads(attempt)
            except ValueError:
                continue
            if isinstance(data, dict):
                data = data.get("variations") or data.get("inputs")
            if isinstance(data, list) and data and all(isinstance(x, str) for x in data):
                return [x for x in data]
    return None
