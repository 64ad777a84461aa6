"""Can this config run conversations? (``conversation:`` / ``personas:`` with the rest.)

Conversations run on every executor and every kind of target, replayed or not; what is
checked here is that each piece a conversation needs is named (personas, the simulated
user, where the history goes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fluxloop_core.config.http_target import uses_history
from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.preflight.problem import Problem, at_key
from fluxloop_core.preflight.simulator import simulator_problems


def section_key(positions: Positions) -> str:
    """The section's name as the config file spells it (0.3.x: ``multi_turn``)."""
    return "multi_turn" if ("multi_turn",) in positions else "conversation"


def conversation_problems(
    loaded: LoadedConfig,
    positions: Positions,
    input_metadata: Sequence[Mapping[str, Any]],
    persona: str | None = None,
) -> list[Problem]:
    """Why the conversations asked for (config, or ``--multi-turn``) cannot run
    (``input_metadata``: each input's, for its ``persona``)."""
    config = loaded.config
    names = {p.name for p in config.personas}

    def problem(key: str, message: str, hint: str) -> Problem:
        return at_key(loaded, positions, "config", key, message, hint)

    problems: list[Problem] = []
    if not config.personas:
        problems.append(
            problem(
                "personas",
                "conversations need personas: the follow-up messages are theirs",
                "Add personas: with a name and follow_ups, e.g. personas: [{name: "
                'customer, follow_ups: [["And the total?"]], stop_when: ["(?i)thank"]}]',
            )
        )
    problems.extend(simulator_problems(loaded, positions, section_key(positions)))
    if config.replay_args.enabled:
        problems.extend(_replay_problems(loaded, positions))
    problems.extend(http_history_problems(loaded, positions, config.conversation.history_param))
    if persona is not None and persona not in names:
        problems.append(
            problem(
                "personas",
                f"persona {persona!r} was chosen, but personas: defines none of that name",
                f"Choose one of: {', '.join(sorted(names)) or '(none defined)'}.",
            )
        )
    for index, metadata in enumerate(input_metadata):
        chosen = metadata.get("persona")
        if chosen is None or (isinstance(chosen, str) and chosen in names):
            continue
        message = f"input {index} asks for persona {chosen!r}, which personas: does not define"
        hint = (
            "Add that persona, or change the input's metadata.persona to one of: "
            f"{', '.join(sorted(names)) or '(none defined)'}."
        )
        if config.inputs_file is None:
            problems.append(problem(f"base_inputs[{index}].metadata.persona", message, hint))
        else:
            key = f"inputs[{index}].metadata.persona"
            problems.append(
                Problem(kind="inputs", message=message, file=config.inputs_file, key=key, hint=hint)
            )
    return problems


def _replay_problems(loaded: LoadedConfig, positions: Positions) -> list[Problem]:
    """A replayed conversation writes each later turn's message at the override path and
    the history at ``history_param``: both must be named (a command target's request line
    carries the history of its own)."""
    config = loaded.config
    section = section_key(positions)
    problems: list[Problem] = []
    if config.conversation.history_param is None and config.runner.command is None:
        problems.append(
            at_key(
                loaded,
                positions,
                "config",
                f"{section}.history_param",
                f"replayed conversations need {section}.history_param: the recorded "
                "call's arguments are replayed each turn, with the history at that keyword",
                f"Set {section}.history_param to the recorded call's keyword that takes the "
                "messages (a list of {role, content}), e.g. history_param: messages.",
            )
        )
    if config.replay_args.override_param_path is None:
        problems.append(
            at_key(
                loaded,
                positions,
                "config",
                "replay_args.override_param_path",
                "replayed conversations need replay_args.override_param_path: each turn's "
                "message is written there",
                "Set replay_args.override_param_path to where the recorded call holds the "
                "user's message, e.g. override_param_path: data.content.",
            )
        )
    return problems


def history_problems(loaded: LoadedConfig, positions: Positions) -> list[Problem]:
    """Why a conversation's agent would not see its history: no ``history_param`` and a
    target that keeps no instance (not a ``Class.method``)."""
    return _history_unseen(
        loaded,
        positions,
        "runner.target is not a Class.method",
        "the keyword argument that takes the messages (a list of {role, content}), or "
        "target a Class.method whose instance keeps the history",
    )


def http_history_problems(
    loaded: LoadedConfig, positions: Positions, history_param: str | None
) -> list[Problem]:
    """An agent behind HTTP sees a conversation's history through the body key
    ``history_param`` or a ``{history}`` in the body: one of them must be there."""
    http = loaded.config.runner.http
    if http is None or history_param is not None or uses_history(http.body):
        return []
    return _history_unseen(
        loaded,
        positions,
        'runner.http.body has no "{history}"',
        'the body key that takes the messages (a list of {role, content}), or put "{history}" '
        "in runner.http.body",
    )


def _history_unseen(
    loaded: LoadedConfig, positions: Positions, why: str, fix: str
) -> list[Problem]:
    section = section_key(positions)
    return [
        at_key(
            loaded,
            positions,
            "config",
            f"{section}.history_param",
            f"{section}.history_param is not set and {why}: the agent would see only the "
            "latest message of each conversation",
            f"Set {section}.history_param to {fix}.",
        )
    ]
