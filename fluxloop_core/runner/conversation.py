"""Conversations: one run of several turns between a simulated user and the agent.

The simulated user (the persona's script, or a model playing it:
:mod:`fluxloop_core.runner.simulated_user`) runs here, in the driver; each agent turn is
one attempt of the experiment's executor (so its timeout and error handling are the
executor's). The scheduler sees one attempt per conversation: its status, output (the
last reply) and duration are the conversation's, and retries (``max_retries``) repeat it
whole.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from fluxloop_core.config.conversation import PersonaConfig
from fluxloop_core.results.models import ErrorInfo
from fluxloop_core.runner.binding import RunInput
from fluxloop_core.runner.events import TurnFinished
from fluxloop_core.runner.executor import (
    Attempt,
    Executor,
    HoldsConversations,
    RunJob,
    error_info,
)
from fluxloop_core.runner.simulated_user import LLMUser, LLMUserSettings, NextTurn

TerminationReason = Literal[
    "stop_condition", "max_turns", "script_complete", "agent_error", "simulator_error", "timeout"
]


@dataclass(frozen=True)
class ConversationPlan:
    """What every conversation of an experiment follows."""

    personas: tuple[PersonaConfig, ...]
    max_turns: int
    history_param: str | None
    seed: int
    forced_persona: str | None = None
    """``--persona``: for inputs whose metadata names none."""
    llm_user: LLMUserSettings | None = None
    """``simulator.mode: llm``: the model that writes the follow-ups instead of the script."""

    def persona_for(self, input_index: int, run_input: RunInput) -> PersonaConfig:
        """The input's ``metadata.persona``, else ``--persona``, else round-robin by input
        (so a resumed or retried conversation keeps its persona)."""
        by_name = {persona.name: persona for persona in self.personas}
        named = run_input.metadata.get("persona")
        if isinstance(named, str) and named in by_name:
            return by_name[named]
        if self.forced_persona is not None:
            return by_name[self.forced_persona]
        return self.personas[input_index % len(self.personas)]

    def follow_up(self, persona: PersonaConfig, job: RunJob, turn: int) -> str | None:
        """The user's message before agent turn ``turn`` (1-based after the first), picked
        among the persona's alternatives by a hash of seed, input, persona and run id;
        None when the script has no more."""
        if turn - 1 >= len(persona.follow_ups):
            return None
        alternatives = persona.follow_ups[turn - 1]
        key = "\x1f".join((str(self.seed), job.input.text, persona.name, job.run_id, str(turn)))
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()
        return alternatives[int.from_bytes(digest[:8], "big") % len(alternatives)]


def reply_text(output: Any) -> str:
    """The agent's reply as the next turn's history and ``stop_when`` read it."""
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)


@dataclass
class Conversation:
    """What a conversation recorded: its trace line's extra fields."""

    persona: str
    turns: list[dict[str, Any]] = field(default_factory=list)
    termination_reason: TerminationReason = "max_turns"
    termination_detail: str | None = None
    """Why the simulated user ended it (its own reason, or what went wrong)."""

    @property
    def turn_count(self) -> int:
        """Agent turns taken."""
        return sum(1 for turn in self.turns if turn["role"] == "assistant")

    def trace_fields(self) -> dict[str, Any]:
        """The fields a conversation adds to its trace line."""
        fields = {
            "turns": self.turns,
            "turn_count": self.turn_count,
            "termination_reason": self.termination_reason,
            "persona": self.persona,
        }
        if self.termination_detail is not None:
            fields["termination_detail"] = self.termination_detail
        return fields


def _agent_turn(attempt: Attempt) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": attempt.output,
        "source": "agent",
        "duration_ms": round(attempt.duration_ms, 3),
        "status": attempt.status,
        "error": attempt.error.model_dump(mode="json") if attempt.error else None,
        "callback_calls": [call.model_dump(mode="json") for call in attempt.callback_calls],
        "spans": attempt.spans,
    }


def _ended(attempt: Attempt) -> TerminationReason | None:
    if attempt.status == "timeout":
        return "timeout"
    if attempt.status == "error":
        return "agent_error"
    return None


AgentBinder = Callable[[], Callable[..., Any]]
"""Makes the agent a whole conversation keeps (a ``Class.method`` target's new instance)."""


class ConversationExecutor:
    """An executor whose attempt is a whole conversation, each agent turn one attempt of
    ``inner`` (any executor: each turn's job carries the history so far). ``on_turn``
    hears of each finished turn (the run screen's "turn 3/6").

    ``bind_agent`` (in-process ``Class.method`` targets without ``history_param``) makes
    the one instance every turn of a conversation calls, so it can keep the history.
    """

    def __init__(
        self,
        inner: Executor,
        plan: ConversationPlan,
        bind_agent: AgentBinder | None = None,
        on_turn: Callable[[TurnFinished], None] | None = None,
    ) -> None:
        self._inner = inner
        self._on_turn = on_turn
        self._bind_agent = bind_agent
        self._plan = plan
        self._held = inner if isinstance(inner, HoldsConversations) else None
        self._ids = itertools.count()
        self._llm_user = LLMUser(plan.llm_user) if plan.llm_user is not None else None
        self.prefetch = 0  # a conversation holds its slot for all its turns

    async def attempt(self, job: RunJob) -> Attempt:
        """Hold the conversation of ``job``; never raises for agent errors."""
        # Unique even when a retry holds the same run's conversation again.
        conversation_id = f"{job.run_id}#{next(self._ids)}"
        try:
            return await self._converse(replace(job, conversation_id=conversation_id))
        finally:
            if self._held is not None:
                self._held.end_conversation(conversation_id)

    async def _converse(self, job: RunJob) -> Attempt:
        plan = self._plan
        persona = plan.persona_for(job.input_index, job.input)
        conversation = Conversation(persona.name)
        began = time.monotonic()
        try:
            agent = self._bind_agent() if self._bind_agent is not None else None
        except Exception as exc:
            conversation.termination_reason = "agent_error"
            return _attempt_of(conversation, [], began, error=error_info(exc))
        history: list[dict[str, str]] = []
        attempts: list[Attempt] = []
        message, source = job.input.text, "input"
        for turn in range(plan.max_turns):
            history.append({"role": "user", "content": message})
            conversation.turns.append({"role": "user", "content": message, "source": source})
            turn_job = replace(
                job,
                input=RunInput(message, job.input.metadata),
                history=tuple(dict(m) for m in history),
                agent=agent,
            )
            attempt = await self._inner.attempt(turn_job)
            attempts.append(attempt)
            if self._on_turn is not None:
                self._on_turn(TurnFinished(job.run_id, turn + 1, plan.max_turns, attempt.status))
            conversation.turns.append(_agent_turn(attempt))
            failed = _ended(attempt)
            if failed is not None:
                conversation.termination_reason = failed
                break
            reply = reply_text(attempt.output)
            history.append({"role": "assistant", "content": reply})
            if persona.stops(reply):
                conversation.termination_reason = "stop_condition"
                break
            at_cap = turn + 1 == plan.max_turns
            if at_cap and self._llm_user is not None:
                # A model's message nobody would answer is a request for nothing.
                conversation.termination_reason = "max_turns"
                break
            decision = await self._next_turn(persona, job, turn + 1, history)
            if decision.ended is not None:
                conversation.termination_reason = decision.ended
                conversation.termination_detail = decision.detail
                break
            if at_cap:
                conversation.termination_reason = "max_turns"
                break
            assert decision.message is not None  # a turn that did not end has a message
            message = decision.message
            source = f"{'llm' if self._llm_user else 'persona'}:{persona.name}"
        if conversation.termination_reason == "simulator_error":
            why = ErrorInfo(type="SimulatorError", message=conversation.termination_detail or "")
            return _attempt_of(conversation, attempts, began, error=why)
        return _attempt_of(conversation, attempts, began)

    async def _next_turn(
        self, persona: PersonaConfig, job: RunJob, turn: int, history: list[dict[str, str]]
    ) -> NextTurn:
        """The user's message before agent turn ``turn``: the model's, or the script's."""
        if self._llm_user is not None:
            return await self._llm_user.next_turn(persona, job.run_id, history)
        scripted = self._plan.follow_up(persona, job, turn)
        return (
            NextTurn(message=scripted)
            if scripted is not None
            else NextTurn(ended="script_complete")
        )

    def drop_queued(self) -> None:
        """Forget turns queued and not started (when stopping)."""
        self._inner.drop_queued()

    async def close(self) -> None:
        """Close the executor of the turns and the simulated user's client."""
        if self._llm_user is not None:
            await self._llm_user.close()
        await self._inner.close()


def _attempt_of(
    conversation: Conversation,
    attempts: Sequence[Attempt],
    began: float,
    error: ErrorInfo | None = None,
) -> Attempt:
    """The scheduler's one attempt for a whole conversation (``error``: what ended it
    when no agent turn did: the agent could not be made, the simulated user failed)."""
    last = attempts[-1] if attempts else None
    return Attempt(
        status="error" if error is not None or last is None else last.status,
        duration_ms=(time.monotonic() - began) * 1000,
        output=last.output if last is not None else None,
        error=error if error is not None else (last.error if last else None),
        callback_calls=[call for attempt in attempts for call in attempt.callback_calls],
        spans=[span for attempt in attempts for span in attempt.spans],
        started=attempts[0].started if attempts else began,
        loop_held=max((attempt.loop_held for attempt in attempts), default=0.0),
        conversation=conversation.trace_fields(),
    )
