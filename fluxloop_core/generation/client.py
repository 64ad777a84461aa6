"""The chat-completions client every LLM call goes through: input generation and the
evaluation's llm_judge alike, so both retry, wait and give up by the same rule.

429, 5xx, time-outs and connection errors are retried ``llm.max_retries`` times with
exponential backoff and jitter, honouring ``Retry-After``; so are HTTP 200 bodies that are
not a usable chat completion (HTML, not JSON, no choices). Other 4xx fail at once.
``llm.timeout_seconds`` is a total deadline for each request (connect, send, wait and read
the whole body): a server that trickles its answer cannot hold a request past it. At most
``MAX_REDIRECTS`` redirects are followed; a longer chain fails at once, without retries.
Requests in flight are bounded by ``llm.concurrency``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from fluxloop_core.config.env import provider_key_variable, resolve_llm_key
from fluxloop_core.config.models import LLMConfig
from fluxloop_core.errors import GenerationError
from fluxloop_core.generation import cache
from fluxloop_core.generation.answer import BadAnswer, read_answer

PROVIDER_ENDPOINTS = {
    "openai": "https://api.openai.com/v1",
    "anthropic": "https://api.anthropic.com/v1/",
}
BACKOFF_BASE_SECONDS = 0.5
BACKOFF_CAP_SECONDS = 30.0
RETRYABLE_STATUS = {408, 409, 429}
# Enough for an http -> https or a trailing-slash hop; a loop fails after a few requests.
MAX_REDIRECTS = 3
LLM_KEY = "input_generation.llm"
"""Where the project's LLM settings live in setting.yaml."""

Messages = list[dict[str, str]]


@dataclass
class ChatUsage:
    """Requests and tokens a client used (a judge's endpoint, the simulated user)."""

    requests: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


class RetriesExhausted(Exception):
    """The endpoint kept failing; ``str()`` names it and the last status."""


class Usage(Protocol):
    """Where a client counts its requests and tokens (a generation result, a judge's tally)."""

    requests: int
    prompt_tokens: int
    completion_tokens: int


def endpoint_for(llm: LLMConfig, key: str = f"{LLM_KEY}.base_url") -> str:
    """The base URL requests go to (``key``: the setting to name when none is known)."""
    if llm.base_url:
        return llm.base_url
    if llm.provider in PROVIDER_ENDPOINTS:
        return PROVIDER_ENDPOINTS[llm.provider]
    raise GenerationError(
        f"provider {llm.provider!r} has no known endpoint",
        key=key,
        hint=f"Set {key} to its OpenAI-compatible URL (e.g. http://127.0.0.1:8080/v1).",
    )


def settings_over(
    base: LLMConfig,
    *,
    model: str | None = None,
    provider: str | None = None,
    base_url: str | None = None,
    temperature: float | None = None,
) -> LLMConfig:
    """``base`` (the project's ``input_generation.llm``) with a caller's own settings over
    it, those it gives (a provider of its own leaves the project's base_url behind)."""
    update: dict[str, Any] = {}
    if model is not None:
        update["model"] = model
    if temperature is not None:
        update["temperature"] = temperature
    if provider is not None:
        update["provider"] = provider
        update["base_url"] = base_url
    elif base_url is not None:
        update["base_url"] = base_url
    return base.model_copy(update=update)


def api_key(provider: str, env: Mapping[str, str], *, instead: str) -> str:
    """The API key for ``provider``, or exit-2 advice on setting one (``instead``: the
    offline alternative the advice offers)."""
    key, _ = resolve_llm_key(provider, env)
    if key:
        return key
    variable = provider_key_variable(provider)
    raise GenerationError(
        f"no API key for provider {provider!r} (looked for {variable} and FLUXLOOP_LLM_API_KEY)",
        hint=f"Run `fluxloop config set-llm {provider} YOUR_KEY`, or {instead}.",
    )


def answer_key(llm: LLMConfig, endpoint: str, messages: Messages, **apart: str) -> str:
    """The disk cache's key for ``messages`` sent to ``endpoint`` with ``llm``'s model and
    parameters (``apart``: what else keeps two answers apart, e.g. a simulated user's run
    id)."""
    return cache.cache_key(
        endpoint,
        llm.model,
        messages,
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        **apart,
    )


def _retry_after(exc: Any) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return min(float(value), BACKOFF_CAP_SECONDS) if value is not None else None
    except ValueError:
        return None


class ChatClient:
    """One AsyncOpenAI client with the retry rule above; counts into ``usage``.

    ``llm`` is the effective setting (a judge's copy has temperature 0 and may name its own
    model); every request is sent with its model, temperature and max_tokens.
    """

    def __init__(self, llm: LLMConfig, key: str, usage: Usage, endpoint: str) -> None:
        from openai import AsyncOpenAI, DefaultAsyncHttpxClient

        self.llm = llm
        self.endpoint = endpoint
        self.usage = usage
        self.client = AsyncOpenAI(
            api_key=key,
            base_url=endpoint,
            max_retries=0,
            timeout=llm.timeout_seconds,
            http_client=DefaultAsyncHttpxClient(
                timeout=llm.timeout_seconds, max_redirects=MAX_REDIRECTS
            ),
        )
        self.semaphore = asyncio.Semaphore(llm.concurrency)

    def cache_key(self, messages: Messages) -> str:
        """The disk cache's key for ``messages`` sent by this client."""
        return answer_key(self.llm, self.endpoint, messages)

    async def _send(self, messages: Messages) -> str | None:
        """One request within the total deadline; its content, or BadAnswer."""
        async with self.semaphore:
            self.usage.requests += 1
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
        self.usage.prompt_tokens += answer.prompt_tokens
        self.usage.completion_tokens += answer.completion_tokens
        return answer.content

    async def complete(self, messages: Messages) -> str | None:
        """The model's answer to ``messages`` (None when it sent no content), retried by
        the rule above; RetriesExhausted when it cannot be had."""
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

    async def close(self) -> None:
        """Let go of the connections."""
        await self.client.close()
