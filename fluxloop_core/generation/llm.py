"""LLM mode: variations from any OpenAI-compatible endpoint, with retries and a cache.

One request per (base, strategy) asks for as many variations as the plan needs from it.
Requests run concurrently up to ``llm.concurrency``. 429, 5xx, time-outs and connection
errors are retried ``llm.max_retries`` times with exponential backoff and jitter, honouring
``Retry-After``; so are HTTP 200 bodies that are not a usable chat completion (HTML, not
JSON, no choices). When retries run out the inputs made so far are kept and the result
carries the error. An answer whose text is not a readable list is repaired, or asked
again once.

``llm.timeout_seconds`` is a total deadline for each request (connect, send, wait and read
the whole body): a server that trickles its answer cannot hold a request past it. At most
``MAX_REDIRECTS`` redirects are followed; a longer chain fails at once, without retries.
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from typing import Any

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.env import provider_key_variable, resolve_llm_key
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import LLMConfig
from fluxloop_core.errors import GenerationError
from fluxloop_core.generation import cache
from fluxloop_core.generation.answer import BadAnswer, read_answer
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

PROVIDER_ENDPOINTS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com/v1/",
}
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
RETRYABLE_STATUS = {408, 409, 429}
# Enough for an http -> https or a trailing-slash hop; a loop fails after a few requests.
MAX_REDIRECTS = 3


class RetriesExhausted(Exception):
    """The endpoint kept failing; ``str()`` names it and the last status."""


def endpoint_for(llm: LLMConfig) -> str:
    """The base URL requests go to."""
    if llm.base_url:
        return llm.base_url
    if llm.provider in PROVIDER_ENDPOINTS:
        return PROVIDER_ENDPOINTS[llm.provider]
    raise GenerationError(
        f"provider {llm.provider!r} has no known endpoint",
        key="input_generation.llm.base_url",
        hint="Set input_generation.llm.base_url to its OpenAI-compatible URL "
        "(e.g. http://127.0.0.1:8080/v1).",
    )


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
    llm = loaded.config.input_generation.llm
    key, _ = resolve_llm_key(llm.provider, loaded.env)
    if key:
        return key
    variable = provider_key_variable(llm.provider)
    raise GenerationError(
        f"no API key for provider {llm.provider!r} (looked for {variable} and "
        "FLUXLOOP_LLM_API_KEY)",
        hint=f"Run `fluxloop config set-llm {llm.provider} YOUR_KEY`, or generate in the "
        "offline deterministic mode.",
    )


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(value), BACKOFF_CAP_SECONDS) if value is not None else None
    except ValueError:
        return None


class _Client:
    """One AsyncOpenAI client plus the bookkeeping every request shares."""

    def __init__(self, loaded: LoadedConfig, request: GenerationRequest, result: GenerationResult):
        from openai import AsyncOpenAI, DefaultAsyncHttpxClient

        self.llm = loaded.config.input_generation.llm
        self.endpoint = endpoint_for(self.llm)
        self.client = AsyncOpenAI(
            api_key=require_key(loaded),
            base_url=self.endpoint,
            max_retries=0,
            timeout=self.llm.timeout_seconds,
            http_client=DefaultAsyncHttpxClient(
                timeout=self.llm.timeout_seconds, max_redirects=MAX_REDIRECTS
            ),
        )
        self.use_cache = request.use_cache
        self.result = result
        self.semaphore = asyncio.Semaphore(self.llm.concurrency)

    async def _send(self, messages: list[dict[str, str]]) -> str | None:
        """One request within the total deadline; its content, or BadAnswer."""
        async with self.semaphore:
            self.result.requests += 1
            raw = await asyncio.wait_for(
                self.client.chat.completions.with_raw_response.create(
                    model=self.llm.model,
                    messages=messages,  # type: ignore[arg-type]
                    temperature=self.llm.temperature,
                    max_tokens=self.llm.max_tokens,
                ),
                timeout=self.llm.timeout_seconds,
            )
        answer = read_answer(raw.text, raw.headers.get("content-type", ""))
        self.result.prompt_tokens += answer.prompt_tokens
        self.result.completion_tokens += answer.completion_tokens
        return answer.content

    async def _complete(self, messages: list[dict[str, str]]) -> str | None:
        import openai

        last = "no answer"
        for attempt in range(self.llm.max_retries + 1):
            try:
                return await self._send(messages)
            except openai.APIStatusError as exc:
                status = exc.status_code
                last = f"HTTP {status}"
                if status not in RETRYABLE_STATUS and status < 500:
                    raise RetriesExhausted(
                        f"{self.endpoint} answered {last}: {exc.message}"
                    ) from None
                delay = _retry_after(exc)
            except (TimeoutError, openai.APITimeoutError):
                last = f"no whole answer within timeout_seconds ({self.llm.timeout_seconds:g} s)"
                delay = None
            except openai.APIConnectionError as exc:
                # By name: openai is built on httpx or on httpx2, depending on its version.
                if type(exc.__cause__).__name__ == "TooManyRedirects":
                    raise RetriesExhausted(
                        f"{self.endpoint} redirected more than {MAX_REDIRECTS} times"
                    ) from None
                last = "unreachable"
                delay = None
            except BadAnswer as exc:
                last = str(exc)
                delay = None
            if attempt < self.llm.max_retries:
                if delay is None:
                    backoff = min(BACKOFF_BASE_SECONDS * 2**attempt, BACKOFF_CAP_SECONDS)
                    delay = backoff * (0.5 + random.random() / 2)
                await asyncio.sleep(delay)
        raise RetriesExhausted(
            f"{self.endpoint} failed after {self.llm.max_retries + 1} attempts (last: {last})"
        )

    async def variations(self, text: str, strategy: str, count: int) -> list[str]:
        """``count`` variations (fewer when the model returns fewer), from cache when known."""
        messages = variation_messages(text, strategy, count)
        key = cache.cache_key(
            self.endpoint,
            self.llm.model,
            messages,
            temperature=self.llm.temperature,
            max_tokens=self.llm.max_tokens,
        )
        if self.use_cache:
            hit = cache.read(key)
            if hit is not None and isinstance(hit.get("variations"), list):
                self.result.cache_hits += 1
                return [str(v) for v in hit["variations"]]
        content = await self._complete(messages)
        found = parse_variations(content)
        if found is None:
            retry = [
                *messages,
                {"role": "assistant", "content": content or ""},
                reask_message(count),
            ]
            found = parse_variations(await self._complete(retry))
        if found is None:
            raise RetriesExhausted(
                f"{self.endpoint} gave no readable JSON list, even when asked again"
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
        await client.client.close()
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
