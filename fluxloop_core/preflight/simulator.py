"""Can the LLM simulated user ask its model? (``conversation.simulator.mode: llm``.)"""

from __future__ import annotations

from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.errors import UserError
from fluxloop_core.preflight.problem import Problem, at_key
from fluxloop_core.runner.simulated_user import llm_user_settings


def simulator_problems(loaded: LoadedConfig, positions: Positions, section: str) -> list[Problem]:
    """Why the simulated user's model cannot be asked (LLM calls off, no endpoint, no key),
    at its key (``section``: conversation, or 0.3.x's multi_turn)."""
    try:
        llm_user_settings(loaded, section)
    except UserError as error:
        key = error.key or f"{section}.simulator.mode"
        return [at_key(loaded, positions, "config", key, error.message, error.hint)]
    return []
