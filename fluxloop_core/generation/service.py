"""Generating inputs: plan the slots (:mod:`.slots`), fill them in the chosen mode.

The deterministic mode lives here; the same seed gives the same inputs. LLM mode is
:mod:`.llm`.
"""

from __future__ import annotations

import datetime as dt
import random

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.generation.bases import plan_bases
from fluxloop_core.generation.llm import generate_with_llm
from fluxloop_core.generation.request import GenerationRequest
from fluxloop_core.generation.slots import (
    GenerationProgress,
    GenerationResult,
    ProgressSink,
    Slot,
    make_input,
    plan_slots,
)
from fluxloop_core.generation.strategies import KEEPS_CONTENT, STRATEGY_FUNCTIONS, keeps_content
from fluxloop_core.inputs import GeneratedInput, InputsFile

# A transformation may land on a text already made; try this many plain variations first.
_PLAIN_ATTEMPTS = 4


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
        made = generate_with_llm(loaded, request, slots, result, on_progress, cancel)
    else:
        made = _deterministic(slots, request, result, on_progress, cancel)
    result.inputs_file.inputs = made
    return result
