"""The ``conversation:`` and ``personas:`` sections of setting.yaml (upstream 0.4.0 names;
0.3.x ``multi_turn`` is read as ``conversation``).

A conversation is one run of several turns: the input is the first user message, a
persona's scripted follow-ups (or a model playing the persona) the next ones. Regexes are
compiled here, at load, so a bad one is a config error at its line, not a crash
mid-experiment.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)


class SimulatorConfig(_Strict):
    """Who writes the user's next message: the persona's script, or a model playing the
    persona (through LLM generation's client: ``input_generation.llm`` under the keys
    given here)."""

    mode: Literal["scripted", "llm"] = Field(
        default="scripted",
        description="scripted: the persona's follow_ups, picked by seed; llm: a model plays "
        "the persona",
    )
    provider: str | None = Field(
        default=None, description="llm: default input_generation.llm.provider (its key)"
    )
    model: str | None = Field(default=None, description="llm: default input_generation.llm.model")
    base_url: str | None = Field(
        default=None, description="llm: an OpenAI-compatible endpoint (default: the project's)"
    )
    system_prompt: str | None = Field(
        default=None,
        description="llm: instructions over the built-in ones (the persona and the answer's "
        "JSON form are added to it)",
    )
    temperature: float | None = Field(
        default=None, ge=0, le=2, description="llm: default input_generation.llm.temperature"
    )

    @model_validator(mode="after")
    def _llm_keys_need_llm(self) -> SimulatorConfig:
        # A model named under scripted mode would be silently unused: say so instead.
        given = [name for name in LLM_KEYS if getattr(self, name) is not None]
        if self.mode == "scripted" and given:
            raise ValueError(
                f"{', '.join(given)} only apply to mode llm: set mode: llm to have a model "
                "play the personas, or remove them"
            )
        return self


LLM_KEYS = ("provider", "model", "base_url", "system_prompt", "temperature")


class ConversationConfig(_Strict):
    """Run each input as a conversation with a simulated user."""

    enabled: bool = Field(default=False, description="run conversations instead of single calls")
    max_turns: int = Field(default=6, ge=1, description="agent replies at most per conversation")
    history_param: str | None = Field(
        default=None,
        description="keyword argument that receives the history as [{role, content}] "
        "(unset: a Class.method target keeps one instance per conversation)",
    )
    seed: int = Field(default=0, description="same seed, same follow-ups picked")
    simulator: SimulatorConfig = Field(default_factory=SimulatorConfig)

    @field_validator("history_param")
    @classmethod
    def _identifier(cls, value: str | None) -> str | None:
        if value is not None and not value.isidentifier():
            raise ValueError(f"{value!r} is not a keyword argument name")
        return value


class PersonaConfig(_Strict):
    """A simulated user: upstream's fields, plus the script of scripted mode."""

    name: str = Field(min_length=1)
    description: str = ""
    characteristics: list[str] = Field(default_factory=list)
    language: str = "en"
    expertise_level: str = "intermediate"
    goals: list[str] = Field(default_factory=list)
    follow_ups: list[list[str]] = Field(
        default_factory=list, description="per turn after the first: alternatives, picked by seed"
    )
    stop_when: list[str] = Field(
        default_factory=list, description="regexes on the agent's reply that end the conversation"
    )

    @field_validator("follow_ups")
    @classmethod
    def _alternatives(cls, value: list[list[str]]) -> list[list[str]]:
        for turn, alternatives in enumerate(value):
            if not alternatives:
                raise ValueError(f"follow-up {turn} has no alternative: give at least one message")
        return value

    @field_validator("stop_when")
    @classmethod
    def _regexes(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"{pattern!r} is not a regular expression: {exc}") from None
        return value

    def stops(self, reply: str) -> bool:
        """Whether ``reply`` matches one of ``stop_when``."""
        return any(re.search(pattern, reply) for pattern in self.stop_when)


def unique_personas(value: list[PersonaConfig]) -> list[PersonaConfig]:
    """Refuse two personas of one name (inputs choose them by name)."""
    seen: set[str] = set()
    for persona in value:
        if persona.name in seen:
            raise ValueError(f"two personas are named {persona.name!r}: names must be unique")
        seen.add(persona.name)
    return value
