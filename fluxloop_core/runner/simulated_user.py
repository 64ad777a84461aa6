"""The LLM simulated user (``conversation.simulator.mode: llm``): a model plays the persona
and writes the user's next message, or says the conversation is over.

It asks through LLM generation's :class:`~fluxloop_core.generation.client.ChatClient`, so
keys, retries, ``Retry-After``, the total deadline and the disk cache follow the same rule
(``input_generation.llm``, with the simulator's provider, model, base_url and temperature
over it). It runs in the driver, between agent turns: no worker waits on it.

The answer is upstream's JSON contract ``{"should_continue", "next_message",
"termination_reason"}``; an answer that is plain text (not an object) is the next message,
unless it holds ``###STOP###``, which ends the conversation. A request that fails after its
retries, or an answer that starts as an object but breaks the contract, ends the
conversation with ``simulator_error`` and says why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from fluxloop_core.config.conversation import PersonaConfig
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import LLMConfig
from fluxloop_core.errors import ConfigError, UserError
from fluxloop_core.generation import cache
from fluxloop_core.generation.client import (
    LLM_KEY,
    ChatClient,
    ChatUsage,
    Messages,
    RetriesExhausted,
    answer_key,
    api_key,
    endpoint_for,
    settings_over,
)
from fluxloop_core.redaction import redact

STOP_MARKER = "###STOP###"
EXCERPT_CHARS = 200
"""How much of an unreadable answer the trace keeps (to show why, not to store it)."""

DEFAULT_INSTRUCTIONS = (
    "You are a user talking to an AI assistant, to test it. Stay in character: write as "
    "this user would, one message at a time, never as the assistant."
)
CONTRACT = (
    "Answer with one JSON object and nothing else: "
    '{"should_continue": true or false, "next_message": "your next message to the '
    'assistant", "termination_reason": "why you stop, when you stop"}. '
    "Stop (should_continue: false) when your goals are met, or when the assistant cannot "
    "help you any further."
)

Ending = Literal["stop_condition", "script_complete", "simulator_error"]


@dataclass(frozen=True)
class NextTurn:
    """What the simulated user does next: say ``message``, or end the conversation."""

    message: str | None = None
    ended: Ending | None = None
    detail: str | None = None
    """Why it ended: the simulator's own reason, or what went wrong (redacted)."""


@dataclass(frozen=True)
class LLMUserSettings:
    """Everything the LLM user needs, resolved (and checked) before the first run."""

    llm: LLMConfig
    key: str
    endpoint: str
    system_prompt: str | None


def llm_user_settings(loaded: LoadedConfig, section: str) -> LLMUserSettings | None:
    """The LLM user's settings when ``simulator.mode`` is llm, else None. Raises
    ConfigError at ``{section}.simulator...`` when LLM calls are off or it has no endpoint
    or key (``section``: the config's spelling, conversation or multi_turn)."""
    config = loaded.config
    simulator = config.conversation.simulator
    if simulator.mode != "llm":
        return None
    where = f"{section}.simulator"
    base = config.input_generation.llm
    if not base.enabled:
        raise ConfigError(
            f"{where}.mode is llm but {LLM_KEY}.enabled is false (the one switch for LLM calls)",
            key=f"{where}.mode",
            hint=f"Run `fluxloop config set-llm PROVIDER KEY` (it sets enabled: true) or set "
            f"{LLM_KEY}.enabled: true; or use {where}.mode: scripted (offline).",
        )
    llm = settings_over(
        base,
        model=simulator.model,
        provider=simulator.provider,
        base_url=simulator.base_url,
        temperature=simulator.temperature,
    )
    own_endpoint = simulator.provider is not None or simulator.base_url is not None
    endpoint_key = f"{where}.base_url" if own_endpoint else f"{LLM_KEY}.base_url"
    try:
        endpoint = endpoint_for(llm, endpoint_key)
        secret = api_key(llm.provider, loaded.env, instead=f"use {where}.mode: scripted")
    except UserError as error:
        key = error.key or f"{where}.mode"
        raise ConfigError(error.message, key=key, hint=error.hint) from None
    return LLMUserSettings(llm, secret, endpoint, simulator.system_prompt)


def _persona_lines(persona: PersonaConfig) -> list[str]:
    lines = [f"- name: {persona.name}"]
    if persona.description:
        lines.append(f"- who you are: {persona.description}")
    if persona.characteristics:
        lines.append(f"- characteristics: {'; '.join(persona.characteristics)}")
    if persona.goals:
        lines.append(f"- your goals: {'; '.join(persona.goals)}")
    lines.append(f"- expertise level: {persona.expertise_level}")
    lines.append(f"- write in this language: {persona.language}")
    return lines


def simulator_messages(
    persona: PersonaConfig, system_prompt: str | None, history: list[dict[str, str]]
) -> Messages:
    """What the model playing ``persona`` is asked, given the conversation so far."""
    system = "\n".join(
        [system_prompt or DEFAULT_INSTRUCTIONS, "", "You are this user:", *_persona_lines(persona)]
    )
    user = (
        'The conversation so far ("user" is you, "assistant" the AI you test), as JSON:\n'
        f"{json.dumps(history, ensure_ascii=False)}\n\n{CONTRACT}"
    )
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


_FENCE = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)


def _broken(why: str, content: str) -> NextTurn:
    excerpt = content[:EXCERPT_CHARS] + ("…" if len(content) > EXCERPT_CHARS else "")
    return NextTurn(ended="simulator_error", detail=redact(f"{why}: {excerpt!r}"))


def read_decision(content: str | None) -> NextTurn:
    """The simulated user's move, read from the model's answer (see the module's doc)."""
    text = (content or "").strip()
    if not text:
        return NextTurn(ended="simulator_error", detail="the simulator answered nothing")
    fenced = _FENCE.match(text)
    body = fenced.group(1) if fenced else text
    if not body.startswith("{"):
        if STOP_MARKER in text:
            return NextTurn(ended="stop_condition", detail=STOP_MARKER)
        return NextTurn(message=text)
    try:
        data = json.loads(body)
    except ValueError:
        return _broken("the simulator's answer is not valid JSON", text)
    proceed = data.get("should_continue") if isinstance(data, dict) else None
    if not isinstance(proceed, bool):
        return _broken("the simulator's answer has no should_continue true or false", text)
    if not proceed:
        reason = data.get("termination_reason")
        return NextTurn(ended="stop_condition", detail=redact(str(reason)) if reason else None)
    message = data.get("next_message")
    if not isinstance(message, str) or not message.strip():
        return _broken("the simulator continues without a next_message", text)
    if STOP_MARKER in message:
        return NextTurn(ended="stop_condition", detail=STOP_MARKER)
    return NextTurn(message=message)


class LLMUser:
    """The model that plays the personas of one experiment (one client, made on the
    scheduler's loop at the first question, closed with the executor)."""

    def __init__(self, settings: LLMUserSettings) -> None:
        self.settings = settings
        self.usage = ChatUsage()
        self._chat: ChatClient | None = None

    async def next_turn(
        self, persona: PersonaConfig, run_id: str, history: list[dict[str, str]]
    ) -> NextTurn:
        """The user's next message in the conversation of run ``run_id``; never raises
        for the endpoint's failures (they end the conversation)."""
        settings = self.settings
        messages = simulator_messages(persona, settings.system_prompt, history)
        # The run id keeps iterations apart: each may take its own path, and a run held
        # again (--resume, the same seed) finds the answers it had.
        key = answer_key(settings.llm, settings.endpoint, messages, run_id=run_id)
        hit = cache.read(key)
        if hit is not None and isinstance(hit.get("simulated_user"), str):
            return read_decision(hit["simulated_user"])
        if self._chat is None:
            self._chat = ChatClient(settings.llm, settings.key, self.usage, settings.endpoint)
        try:
            content = await self._chat.complete(messages)
        except RetriesExhausted as exc:
            return NextTurn(ended="simulator_error", detail=redact(str(exc)))
        decision = read_decision(content)
        if decision.ended != "simulator_error" and content is not None:
            cache.write(key, {"simulated_user": content})
        return decision

    async def close(self) -> None:
        """Let go of the client's connections."""
        if self._chat is not None:
            await self._chat.close()
            self._chat = None
