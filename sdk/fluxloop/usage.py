"""Token usage of LLM calls: read from what an LLM call returned, or recorded by hand.

A ``@fluxloop.prompt`` (or ``trace(observation_type="generation")``) function's return
value is read for usage by shape, never by type, so the SDK imports neither openai nor
anthropic: an OpenAI ``ChatCompletion`` (``.usage.prompt_tokens``/``completion_tokens``,
``.model``), an Anthropic ``Message`` (``.usage.input_tokens``/``output_tokens``), or a
dict holding either pair, at the top or under ``"usage"``. The span's ``usage`` keeps the
OpenAI names (what collectors and the released SDK know), plus ``model`` when the answer
names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fluxloop.config import get_config
from fluxloop.spans import Span

_PAIRS = (("prompt_tokens", "completion_tokens"), ("input_tokens", "output_tokens"))


def _field(source: Any, name: str) -> Any:
    if type(source) is dict:  # the common case, read on every LLM call: no ABC check
        return source.get(name)
    if isinstance(source, Mapping):
        return source.get(name)
    try:  # an agent's object: a property may raise anything
        return getattr(source, name, None)
    except Exception:
        return None


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def token_usage(result: Any) -> dict[str, Any] | None:
    """``{"prompt_tokens", "completion_tokens", "total_tokens"[, "model"]}`` from an LLM
    answer of a shape above; None when it carries no counts."""
    if result is None or isinstance(result, str | bytes | int | float | bool):
        return None
    usage = _field(result, "usage")
    for source in (usage, result) if usage is not None else (result,):
        for input_name, output_name in _PAIRS:
            prompt = _count(_field(source, input_name))
            completion = _count(_field(source, output_name))
            if prompt is None and completion is None:
                continue
            total = _count(_field(source, "total_tokens"))
            counts: dict[str, Any] = {
                "prompt_tokens": prompt or 0,
                "completion_tokens": completion or 0,
                "total_tokens": total if total is not None else (prompt or 0) + (completion or 0),
            }
            model = _field(result, "model")
            if isinstance(model, str) and model:
                counts["model"] = model
            return counts
    return None


def record_usage(model: str | None = None, input_tokens: int = 0, output_tokens: int = 0) -> None:
    """Record one LLM call's tokens where no decorated function returns them (a streamed
    answer, a raw HTTP call): a finished ``generation`` span under the current one."""
    if _count(input_tokens) is None or _count(output_tokens) is None:
        raise ValueError("input_tokens and output_tokens must be whole numbers of at least 0")
    if not get_config().enabled:
        return
    metadata = {"model": model} if model else None
    span = Span(model or "llm call", "generation", metadata, None, {}, activate=False)
    span.usage = {
        "prompt_tokens": input_tokens,
        "completion_tokens": output_tokens,
        "total_tokens": input_tokens + output_tokens,
        **({"model": model} if model else {}),
    }
    span.finish()
