"""Pre-run rules: one home for everything checked before an experiment's first run.

Each rule is a function returning :class:`Problem` values (file, line, key, hint).
``config validate`` lists every problem (:func:`validate_project`), ``status check``
groups them, the TUI shows them, and the runner raises the first (:func:`check_run`), so a
config that validates is a config that runs. Layering: preflight reads config, inputs and
recordings; the runner imports preflight, never the other way round.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.config.layout import is_legacy_config_file, project_config_file
from fluxloop_core.config.legacy import legacy_config_problems, load_legacy_config
from fluxloop_core.config.loader import (
    LoadedConfig,
    Positions,
    config_problems,
    config_text_problems,
    load_config,
    load_config_text,
    parse_yaml,
)
from fluxloop_core.errors import ConfigError, UserError
from fluxloop_core.preflight.conversation import conversation_problems
from fluxloop_core.preflight.environment import environment_problems
from fluxloop_core.preflight.evaluation import evaluation_plan
from fluxloop_core.preflight.executor import executor_problems
from fluxloop_core.preflight.inputs import InputItem, run_inputs
from fluxloop_core.preflight.options import override_problems
from fluxloop_core.preflight.output import output_problems
from fluxloop_core.preflight.problem import Problem, ProblemKind, raise_first
from fluxloop_core.preflight.providers import missing_problems, shape_problems
from fluxloop_core.preflight.replay import override_problems as override_path_problems
from fluxloop_core.preflight.replay import target_calls
from fluxloop_core.preflight.target import target_problems
from fluxloop_core.recording import RecordedCall

if TYPE_CHECKING:
    from fluxloop_core.evaluation.verdicts import EvaluationPlan

__all__ = [
    "Problem",
    "ProblemKind",
    "RunReady",
    "check_run",
    "config_path_of",
    "grading_plan",
    "loaded_problems",
    "positions_of",
    "text_problems",
    "validate_project",
]


def positions_of(loaded: LoadedConfig) -> Positions:
    """Where each key of the config is written (line, column)."""
    _, positions = parse_yaml(loaded.raw_text, loaded.path)
    return positions


@dataclass
class RunReady:
    """What the checks read on the way and a run needs: its inputs and recorded calls."""

    inputs: list[InputItem]
    calls: list[RecordedCall] = field(default_factory=list)
    evaluation: EvaluationPlan | None = None
    """The compiled checks, when runs are graded."""


def _evaluation_problems(
    loaded: LoadedConfig, positions: Positions, inputs: list[InputItem]
) -> tuple[EvaluationPlan | None, list[Problem]]:
    return evaluation_plan(loaded, positions, inputs)


def _replay_problems(
    loaded: LoadedConfig, positions: Positions
) -> tuple[list[RecordedCall], list[Problem], list[Problem]]:
    """(calls, the recording's broken lines, problems that stop a run) for replay."""
    found = target_calls(loaded, positions)
    problems = [
        *found.problems,
        *shape_problems(loaded, positions),
        *missing_problems(loaded, positions, found.calls),
        *override_path_problems(loaded, positions, found.calls),
    ]
    return found.calls, found.line_problems, problems


def check_run(loaded: LoadedConfig, *, parallel_runs: int | None = None) -> RunReady:
    """Every rule a run checks before writing anything, but the target's import (the
    runner imports it itself, or checks it in ``runner.python_path``); raises the first
    problem as its UserError."""
    positions = positions_of(loaded)
    raise_first(environment_problems(loaded))
    raise_first(override_problems(parallel_runs))
    inputs, problems = run_inputs(loaded, positions)
    raise_first(problems)
    evaluation, problems = _evaluation_problems(loaded, positions, inputs)
    raise_first(problems)
    calls, _, problems = _replay_problems(loaded, positions)
    raise_first(problems)
    raise_first(output_problems(loaded, positions))
    return RunReady(inputs=inputs, calls=calls, evaluation=evaluation)


def grading_plan(loaded: LoadedConfig) -> EvaluationPlan | None:
    """The compiled checks of ``loaded`` for grading runs already on disk (``evaluate
    experiment``): its inputs' own checks and the evaluation section; None when nothing
    is graded. Raises the first problem as its UserError."""
    positions = positions_of(loaded)
    inputs, problems = run_inputs(loaded, positions)
    raise_first(problems)
    plan, problems = _evaluation_problems(loaded, positions, inputs)
    raise_first(problems)
    return plan


def loaded_problems(loaded: LoadedConfig) -> list[Problem]:
    """Every problem of a config that passed the schema check."""
    positions = positions_of(loaded)
    _, line_problems, replay = _replay_problems(loaded, positions)
    items, inputs = run_inputs(loaded, positions)
    _, evaluation = _evaluation_problems(loaded, positions, items)
    conversation = loaded.config.conversation
    needs_instance = conversation.enabled and conversation.history_param is None
    return [
        *environment_problems(loaded),
        *executor_problems(loaded, positions),
        *target_problems(loaded, positions, needs_instance=needs_instance),
        *line_problems,
        *replay,
        *inputs,
        *evaluation,
        *output_problems(loaded, positions),
        *(
            conversation_problems(loaded, positions, [item.metadata for item in items])
            if loaded.config.conversation.enabled
            else []
        ),
    ]


def config_path_of(path: Path) -> Path:
    """A config file, or a project folder's setting.yaml (or 0.2.x configs/simulation.yaml)."""
    return (project_config_file(path) if path.is_dir() else None) or path


def validate_project(path: Path) -> list[Problem]:
    """Every problem of a config file (or a project folder's setting.yaml), schema first.

    Schema problems stop the other checks: they need a valid config.
    """
    config_path = config_path_of(path)
    legacy = is_legacy_config_file(config_path)  # a fluxloop-cli 0.2.x project
    schema = legacy_config_problems(config_path) if legacy else config_problems(config_path)
    if schema:
        return [Problem.from_error("config", error) for error in schema]
    try:
        loaded = load_legacy_config(config_path) if legacy else load_config(config_path)
    except ConfigError as error:
        return [Problem.from_error("config", error)]
    return loaded_problems(loaded)


def text_problems(text: str, path: Path) -> list[UserError]:
    """The problems an editor shows while ``text`` (the contents of ``path``) is typed:
    the schema's, then the rules quick enough for every keystroke (no import, no
    recording or inputs file read)."""
    schema = config_text_problems(text, path)
    if schema:
        return list(schema)
    try:
        loaded = load_config_text(text, path)
    except ConfigError as error:
        return [error]
    positions = positions_of(loaded)
    quick = [
        *environment_problems(loaded),
        *shape_problems(loaded, positions),
        *output_problems(loaded, positions),
    ]
    return sorted((p.error() for p in quick), key=lambda e: (e.line or 0, e.column or 0))
