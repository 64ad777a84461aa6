"""A run's tokens, LLM calls, tool calls and cost, from the spans it recorded.

The SDK puts ``usage`` (``prompt_tokens``/``completion_tokens``, maybe ``model``) on each
span of an LLM call and marks tools with ``kind: "tool"``; this module adds them up per
run and prices them with the config's ``pricing:`` table. Spans are the agent's data:
anything malformed is skipped, never an error.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

UNKNOWN_MODEL = "unknown"
MAX_TOOL_SEQUENCE = 1000
"""Tool names kept in call order for ``tool_sequence`` checks; counts are always whole."""


class Price(Protocol):
    """A model's price (``pricing:`` entries are :class:`fluxloop_core.config.models.
    ModelPrice`; the config imports the evaluation, which reads usage: hence a protocol)."""

    @property
    def input_per_million(self) -> float: ...

    @property
    def output_per_million(self) -> float: ...


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else 0


@dataclass
class RunUsage:
    """Tokens per model, LLM calls, and tool calls by name (and in order) of one run."""

    tokens: dict[str, list[int]] = field(default_factory=dict)  # model -> [input, output]
    llm_calls: int = 0
    tool_calls: dict[str, int] = field(default_factory=dict)
    tool_sequence: list[str] = field(default_factory=list)

    @property
    def input_tokens(self) -> int:
        """Input tokens over every model."""
        return sum(pair[0] for pair in self.tokens.values())

    @property
    def output_tokens(self) -> int:
        """Output tokens over every model."""
        return sum(pair[1] for pair in self.tokens.values())

    def to_json(self) -> dict[str, Any]:
        """The ``usage`` field of a trace line."""
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "llm_calls": self.llm_calls,
            "models": {
                m: {"input_tokens": i, "output_tokens": o} for m, (i, o) in self.tokens.items()
            },
            "tool_calls": dict(self.tool_calls),
        }


def _model(span: Mapping[str, Any], usage: Mapping[str, Any]) -> str:
    for source in (usage, span.get("metadata")):
        if isinstance(source, Mapping):
            model = source.get("model")
            if isinstance(model, str) and model:
                return model[:200]
    return UNKNOWN_MODEL


def run_usage(spans: Iterable[Any]) -> RunUsage | None:
    """What ``spans`` (a trace line's, in the order they finished) used; None when they
    hold neither an LLM call with usage nor a tool call."""
    found = RunUsage()
    ordered = sorted(
        (s for s in spans if isinstance(s, Mapping)), key=lambda s: str(s.get("start", ""))
    )
    for span in ordered:
        usage = span.get("usage")
        if isinstance(usage, Mapping):
            pair = found.tokens.setdefault(_model(span, usage), [0, 0])
            pair[0] += _count(usage.get("prompt_tokens"))
            pair[1] += _count(usage.get("completion_tokens"))
            found.llm_calls += 1
        if span.get("kind") == "tool":
            name = str(span.get("name", "?"))[:200]
            found.tool_calls[name] = found.tool_calls.get(name, 0) + 1
            if len(found.tool_sequence) < MAX_TOOL_SEQUENCE:
                found.tool_sequence.append(name)
    if not found.llm_calls and not found.tool_calls:
        return None
    return found


def price_lookup(model: str, pricing: Mapping[str, Price]) -> Price | None:
    """The price of ``model``: its own entry, else the longest entry it starts with
    (``gpt-4o`` prices ``gpt-4o-2024-08-06``)."""
    if model in pricing:
        return pricing[model]
    prefixes = [name for name in pricing if model.startswith(name)]
    return pricing[max(prefixes, key=len)] if prefixes else None


def cost_usd(usage: RunUsage, pricing: Mapping[str, Price]) -> float | None:
    """The run's cost in US dollars; None (unknown) when a model it used has no price."""
    total = 0.0
    for model, (input_tokens, output_tokens) in usage.tokens.items():
        price = price_lookup(model, pricing)
        if price is None:
            return None
        total += input_tokens * price.input_per_million / 1e6
        total += output_tokens * price.output_per_million / 1e6
    return total
