"""LLM mode: variations from any OpenAI-compatible endpoint, with retries and a cache.

One request per (base, strategy) asks for as many variations as the plan needs from it,
through :class:`~fluxloop_core.generation.client.ChatClient` (concurrency, retries,
deadlines and redirects are its rule). When retries run out the inputs made so far are
kept and the result carries the error. An answer whose text is not a readable list is
repaired, or asked again once.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.errors import GenerationError
from fluxloop_core.generation import cache
from fluxloop_core.generation.client import ChatClient, RetriesExhausted, api_key, endpoint_for
from fluxloop_core.generation.prompts import parse_variations, reask_message, variation_messages
from fluxloop_core.generation.request import GenerationRequest
from fluxloop_core.generation.slots import (
    GenerationProgress,
    GenerationResult,
    ProgressSink,
    Slot,
    make_input,
)
from fluxloop_core.inputs import GeneratedInput
from fluxloop_core.redaction import redact


def require_enabled(loaded: LoadedConfig) -> None:
    """Refuse LLM calls that the config does not allow (mode llm over ``enabled: false``)."""
    if not loaded.config.input_generation.llm.enabled:
        raise GenerationError(
            "input_generation.mode llm asks for LLM calls but input_generation.llm.enabled "
            "is false",
            file=loaded.path,
            key="input_generation.llm.enabled",
            hint="Run `fluxloop config set-llm PROVIDER KEY` (it sets enabled: true), set "
            "input_generation.llm.enabled: true, or generate in the deterministic mode.",
        )


def require_key(loaded: LoadedConfig) -> str:
    """The API key for the configured provider, or exit-2 advice on setting one."""
    return api_key(
        loaded.config.input_generation.llm.provider,
        loaded.env,
        instead="generate in the offline deterministic mode",
    )


class _Client:
    """The shared chat client, plus what generation adds: the cache and the re-ask."""

    def __init__(self, loaded: LoadedConfig, request: GenerationRequest, result: GenerationResult):
        llm = loaded.config.input_generation.llm
        self.chat = ChatClient(llm, require_key(loaded), result, endpoint_for(llm))
        self.use_cache = request.use_cache
        self.result = result

    async def variations(self, text: str, strategy: str, count: int) -> list[str]:
        """``count`` variations (fewer when the model returns fewer), from cache when known."""
        messages = variation_messages(text, strategy, count)
        key = self.chat.cache_key(messages)
        if self.use_cache:
            hit = cache.read(key)
            if hit is not None and isinstance(hit.get("variations"), list):
                self.result.cache_hits += 1
                return [str(v) for v in hit["variations"]]
        content = await self.chat.complete(messages)
        found = parse_variations(content)
        if found is None:
            retry = [
                *messages,
                {"role": "assistant", "content": content or ""},
                reask_message(count),
            ]
            found = parse_variations(await self.chat.complete(retry))
        if found is None:
            raise RetriesExhausted(
                f"{self.chat.endpoint} gave no readable JSON list, even when asked again"
            )
        cache.write(key, {"variations": found})
        return found


def group_slots(slots: list[Slot]) -> list[list[Slot]]:
    """Slots sharing a base and a strategy: one request fills each group."""
    groups: dict[tuple[int, str], list[Slot]] = defaultdict(list)
    for slot in slots:
        groups[(id(slot.base), slot.strategy)].append(slot)
    return list(groups.values())


def build_prompts(slots: list[Slot]) -> list[list[dict[str, str]]]:
    """The messages LLM mode would send, one list per request (for --dry-run)."""
    return [
        variation_messages(group[0].base.text, group[0].strategy, len(group))
        for group in group_slots(slots)
    ]


async def _run(
    loaded: LoadedConfig,
    request: GenerationRequest,
    slots: list[Slot],
    result: GenerationResult,
    on_progress: ProgressSink | None,
    cancel: CancelToken | None,
) -> list[GeneratedInput]:
    client = _Client(loaded, request, result)
    texts: dict[int, str] = {}
    done = 0
    errors: list[str] = []

    async def fill(group: list[Slot]) -> None:
        nonlocal done
        if cancel is not None and cancel.cancelled:
            return
        first = group[0]
        try:
            found = await client.variations(first.base.text, first.strategy, len(group))
        except RetriesExhausted as exc:
            # The server's text may echo the key, the endpoint may carry a password.
            errors.append(redact(str(exc)))
            return
        for slot, text in zip(group, found, strict=False):
            texts[slot.index] = text
        done += len(group)
        if on_progress is not None:
            on_progress(GenerationProgress(done, len(slots), result.requests, result.cache_hits))

    try:
        await asyncio.gather(*(fill(group) for group in group_slots(slots)))
    finally:
        await client.chat.close()
    if errors:
        result.error = errors[0] + (
            f" ({len(errors) - 1} more failed requests)" if len(errors) > 1 else ""
        )
    made: list[GeneratedInput] = []
    seen: set[str] = set()
    for slot in slots:
        text = texts.get(slot.index)
        if text is None:
            continue
        if text in seen:
            result.duplicates_dropped += 1
            continue
        seen.add(text)
        made.append(make_input(slot, text))
    return made


def generate_with_llm(
    loaded: LoadedConfig,
    request: GenerationRequest,
    slots: list[Slot],
    result: GenerationResult,
    on_progress: ProgressSink | None,
    cancel: CancelToken | None,
) -> list[GeneratedInput]:
    """Fill the slots with model answers (its own event loop; callable from a thread)."""
    require_enabled(loaded)
    return asyncio.run(_run(loaded, request, slots, result, on_progress, cancel))
