"""Generating inputs: the slot plan shared by both modes, and the result.

``--limit N`` is the total number of inputs. Slot ``i`` varies base ``i % B`` with strategy
``(i // B) % S`` (B bases, S strategies), so bases and strategies are covered evenly;
without a limit there is one slot per base per strategy. The same seed gives the same
inputs in deterministic mode.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.generation.bases import Base, BasePlan, plan_bases
from fluxloop_core.generation.request import GenerationRequest
from fluxloop_core.generation.strategies import KEEPS_CONTENT, STRATEGY_FUNCTIONS, keeps_content
from fluxloop_core.inputs import GeneratedInput, InputsFile

# A transformation may land on a text already made; try this many plain variations first.
_PLAIN_ATTEMPTS = 4


@dataclass(frozen=True)
class Slot:
    """One input to produce: which base, which strategy, and its variation number."""

    index: int
    base: Base
    strategy: str
    variation: int


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
    total = request.limit if request.limit is not None else len(bases) * len(strategies)
    per_round = len(bases) * len(strategies)
    return [
        Slot(
            index=i,
            base=bases[i % len(bases)],
            strategy=strategies[(i // len(bases)) % len(strategies)],
            variation=i // per_round,
        )
        for i in range(total)
    ]


def make_input(slot: Slot, text: str) -> GeneratedInput:
    """The output item for a slot: the text, with the base's metadata and provenance."""
    metadata: dict[str, Any] = {**slot.base.metadata, "strategy": slot.strategy}
    if slot.base.source is not None:
        metadata["source"] = slot.base.source.model_dump()
    else:
        metadata["base_index"] = slot.base.base_index
    return GeneratedInput(input=text, metadata=metadata)


def _unique_variation(slot: Slot, seed: int, seen: set[str]) -> str | None:
    """A text for the slot that is not in ``seen``, or None.

    Short bases give a strategy few distinct outcomes (``concise`` of "Hello world"), so
    when plain attempts repeat, the strategy is applied on top of another one's output.
    """
    transform = STRATEGY_FUNCTIONS[slot.strategy]
    others = [name for name in STRATEGY_FUNCTIONS if name != slot.strategy]
    plans: list[str | None] = [None] * _PLAIN_ATTEMPTS + [o for o in others for _ in range(3)]
    for attempt, first in enumerate(plans):
        rng = random.Random(f"{seed}:{slot.index}:{attempt}")
        text = slot.base.text if first is None else STRATEGY_FUNCTIONS[first](slot.base.text, rng)
        candidate = transform(text, rng)
        if candidate in seen:
            continue
        # On its own such a strategy keeps the base's words; applied on another strategy's
        # output (synonyms, typos) they may be gone, and the variation no longer asks what
        # the base asked.
        stacked = first is not None
        if (
            stacked
            and slot.strategy in KEEPS_CONTENT
            and not keeps_content(slot.base.text, candidate)
        ):
            continue
        return candidate
    return None


def _deterministic(
    slots: list[Slot],
    request: GenerationRequest,
    result: GenerationResult,
    on_progress: ProgressSink | None,
    cancel: CancelToken | None,
) -> list[GeneratedInput]:
    made: list[GeneratedInput] = []
    seen: set[str] = set()
    step = max(1, len(slots) // 100)
    for slot in slots:
        if cancel is not None and cancel.cancelled:
            break
        text = _unique_variation(slot, request.seed, seen)
        if text is None:
            result.duplicates_dropped += 1
        else:
            seen.add(text)
            made.append(make_input(slot, text))
        if on_progress is not None and (slot.index % step == 0 or slot.index == len(slots) - 1):
            on_progress(GenerationProgress(slot.index + 1, len(slots), 0, 0))
    return made


def generate_inputs(
    loaded: LoadedConfig,
    request: GenerationRequest,
    *,
    on_progress: ProgressSink | None = None,
    cancel: CancelToken | None = None,
) -> GenerationResult:
    """Produce the inputs (blocking; LLM mode runs its own event loop)."""
    plan = plan_bases(loaded, request)
    slots = plan_slots(plan, request)
    header = InputsFile(
        generated_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        mode=request.mode,
        strategies=request.strategies,
        model=loaded.config.input_generation.llm.model if request.mode == "llm" else None,
        seed=request.seed,
        sources=plan.sources,
        inputs=[],
    )
    result = GenerationResult(
        inputs_file=header, skipped_lines=len(plan.skipped), planned=len(slots)
    )
    if request.mode == "llm":
        from fluxloop_core.generation.llm import generate_with_llm

        made = generate_with_llm(loaded, request, slots, result, on_progress, cancel)
    else:
        made = _deterministic(slots, request, result, on_progress, cancel)
    result.inputs_file.inputs = made
    return result
