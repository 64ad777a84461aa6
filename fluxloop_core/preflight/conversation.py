"""Can this config run conversations? (``conversation:`` / ``personas:`` with the rest.)

Only scripted conversations in this process exist so far: every other combination is
refused by name, so no half-working mode can be reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from fluxloop_core.config.executors import ExecutorName
from fluxloop_core.config.http_target import uses_history
from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.preflight.problem import Problem, at_key

if TYPE_CHECKING:
    from fluxloop_core.runner.target import Target


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
    where = executor or config.runner.executor
    single = "or run single calls (conversations off)"
    unsupported = [
        (config.replay_args.enabled, "replay_args.enabled", "replayed calls", "Remove replay_args"),
        (
            bool(config.runner.python_path),
            "runner.python_path",
            "runner.python_path",
            "Remove runner.python_path (the agent then runs in this interpreter)",
        ),
        (where != "local", "runner.executor", f"executor {where}", "Use executor local"),
    ]
    for given, key, what, instead in unsupported:
        if given:
            message = f"conversations with {what} are not supported yet"
            problems.append(problem(key, message, f"{instead}, {single}."))
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


def http_history_problems(
    loaded: LoadedConfig, positions: Positions, history_param: str | None
) -> list[Problem]:
    """An agent behind HTTP sees a conversation's history through the body key
    ``history_param`` or a ``{history}`` in the body: one of them must be there."""
    http = loaded.config.runner.http
    if http is None or history_param is not None or uses_history(http.body):
        return []
    section = section_key(positions)
    return [
        at_key(
            loaded,
            positions,
            "config",
            f"{section}.history_param",
            f"{section}.history_param is not set and runner.http.body has no "
            '"{history}": the agent would see only the latest message of each conversation',
            f"Set {section}.history_param to the body key that takes the messages (a list "
            'of {role, content}), or put "{history}" in runner.http.body.',
        )
    ]


def history_problems(
    loaded: LoadedConfig, positions: Positions, history_param: str | None, target: Target
) -> list[Problem]:
    """A conversation's agent must see its history: through ``history_param``, or as one
    instance (a ``Class.method`` target) that keeps it."""
    if history_param is not None or target.owner is not None:
        return []
    section = section_key(positions)
    return [
        at_key(
            loaded,
            positions,
            "config",
            f"{section}.history_param",
            f"{section}.history_param is not set and runner.target is not a Class.method: "
            "the agent would see only the latest message of each conversation",
            f"Set {section}.history_param to the keyword argument that takes the messages "
            "(a list of {role, content}), or target a Class.method whose instance keeps the "
            "history.",
        )
    ]
