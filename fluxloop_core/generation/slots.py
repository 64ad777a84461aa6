"""What both generation modes share: the slots to fill, their progress and their result.

``--limit N`` is the total number of inputs. Slot ``i`` varies base ``i % B`` for persona
``(i // B) % P`` with strategy ``(i // (B * P)) % S`` (B bases, P personas chosen with
``--personas`` or 1, S strategies), so bases, personas and strategies are covered evenly;
without a limit there is one slot per base per persona per strategy.

Its own module so that :mod:`.service` (which picks a mode) and :mod:`.llm` (one mode)
both import it and never each other's back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fluxloop_core.generation.bases import Base, BasePlan
from fluxloop_core.generation.request import GenerationRequest
from fluxloop_core.inputs import GeneratedInput, InputsFile


@dataclass(frozen=True)
class Slot:
    """One input to produce: which base, which strategy, and its variation number."""

    index: int
    base: Base
    strategy: str
    variation: int
    persona: str | None = None


@dataclass(frozen=True)
class GenerationProgress:
    """Reported as inputs are produced (LLM mode: per answered request)."""

    done: int
    total: int
    requests: int
    cache_hits: int


@dataclass
class GenerationResult:
    """The inputs made, what it cost, and an error when LLM retries ran out (inputs kept)."""

    inputs_file: InputsFile
    requests: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    skipped_lines: int = 0
    duplicates_dropped: int = 0
    planned: int = 0
    error: str | None = None


ProgressSink = Callable[[GenerationProgress], None]


def plan_slots(plan: BasePlan, request: GenerationRequest) -> list[Slot]:
    """Every input to produce, in output order."""
    bases, strategies = plan.bases, request.strategies
    personas: tuple[str | None, ...] = request.personas or (None,)
    tagged = len(bases) * len(personas)
    per_round = tagged * len(strategies)
    total = request.limit if request.limit is not None else per_round
    return [
        Slot(
            index=i,
            base=bases[i % len(bases)],
            strategy=strategies[(i // tagged) % len(strategies)],
            variation=i // per_round,
            persona=personas[(i // len(bases)) % len(personas)],
        )
        for i in range(total)
    ]


def make_input(slot: Slot, text: str) -> GeneratedInput:
    """The output item for a slot: the text, with the base's metadata, provenance and
    own checks."""
    metadata: dict[str, Any] = {**slot.base.metadata, "strategy": slot.strategy}
    if slot.persona is not None:
        metadata["persona"] = slot.persona
    if slot.base.source is not None:
        metadata["source"] = slot.base.source.model_dump()
    else:
        metadata["base_index"] = slot.base.base_index
    return GeneratedInput(input=text, metadata=metadata, checks=list(slot.base.checks))
