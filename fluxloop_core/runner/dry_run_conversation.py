"""What ``run experiment --dry-run`` says about conversations: who plays the user, for
how many inputs, for how many turns, and how the agent gets its history."""

from __future__ import annotations

from collections import Counter
from typing import Any

from fluxloop_core.redaction import redact
from fluxloop_core.runner.plan import ExperimentPlan


def describe_conversations(plan: ExperimentPlan) -> dict[str, Any] | None:
    """The conversations of ``plan`` as plain JSON values (None: single calls)."""
    conversation = plan.conversation
    if conversation is None:
        return None
    chosen = Counter(
        conversation.persona_for(index, run_input).name
        for index, run_input in enumerate(plan.inputs)
    )
    llm_user = conversation.llm_user
    simulator: dict[str, Any] = {"mode": "scripted"}
    if llm_user is not None:
        simulator = {
            "mode": "llm",
            "model": llm_user.llm.model,
            "endpoint": redact(llm_user.endpoint),
            "temperature": llm_user.llm.temperature,
        }
    return {
        "max_turns": conversation.max_turns,
        "history": (
            f"keyword {conversation.history_param}"
            if conversation.history_param
            else "one instance per conversation"
        ),
        "personas": {p.name: chosen.get(p.name, 0) for p in conversation.personas},
        "forced_persona": conversation.forced_persona,
        "simulator": simulator,
    }
