"""Can this config run conversations? (``conversation:`` / ``personas:`` with the rest.)

Only scripted conversations in this process exist so far: every other combination is
refused by name, so no half-working mode can be reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fluxloop_core.config.conversation import NOT_SUPPORTED_YET
from fluxloop_core.config.executors import ExecutorName
from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.preflight.problem import Problem, at_key


def section_key(positions: Positions) -> str:
    """The section's name as the config file spells it (0.3.x: ``multi_turn``)."""
    return "multi_turn" if ("multi_turn",) in positions else "conversation"


def conversation_problems(
    loaded: LoadedConfig,
    positions: Positions,
    input_metadata: Sequence[Mapping[str, Any]],
    executor: ExecutorName | None = None,
    persona: str | None = None,
) -> list[Problem]:
    """Why the conversations asked for (config, or ``--multi-turn``) cannot run
    (``input_metadata``: each input's, for its ``persona``)."""
    config = loaded.config
    section = section_key(positions)
    names = {p.name for p in config.personas}

    def problem(key: str, message: str, hint: str) -> Problem:
        return at_key(loaded, positions, "config", key, message, hint)

    problems: list[Problem] = []
    if not config.personas:
        problems.append(
            problem(
                "personas",
                f"{section}.enabled needs personas: the follow-up messages are theirs",
                "Add personas: with a name and follow_ups, e.g. personas: [{name: "
                'customer, follow_ups: [["And the total?"]], stop_when: ["(?i)thank"]}]',
            )
        )
    unsupported = [
        (config.replay_args.enabled, "replay_args.enabled", "replayed calls"),
        (bool(config.runner.python_path), "runner.python_path", "runner.python_path"),
        (
            (executor or config.runner.executor) != "local",
            "runner.executor",
            f"executor {executor or config.runner.executor}",
        ),
    ]
    for given, key, what in unsupported:
        if given:
            problems.append(
                problem(
                    key,
                    f"conversations with {what} are {NOT_SUPPORTED_YET.removeprefix('is ')}",
                    f"Run conversations with executor local in this interpreter, or turn "
                    f"{section}.enabled off.",
                )
            )
    if persona is not None and persona not in names:
        problems.append(
            problem(
                "personas",
                f"--persona {persona}: no persona of that name",
                f"Choose one of: {', '.join(sorted(names)) or '(none defined)'}.",
            )
        )
    for index, metadata in enumerate(input_metadata):
        chosen = metadata.get("persona")
        if chosen is not None and (not isinstance(chosen, str) or chosen not in names):
            problems.append(
                problem(
                    f"base_inputs.{index}.metadata.persona",
                    f"input {index} asks for persona {chosen!r}, which personas: does not define",
                    f"Add that persona, or change the input's metadata.persona to one of: "
                    f"{', '.join(sorted(names)) or '(none defined)'}.",
                )
            )
    return problems
