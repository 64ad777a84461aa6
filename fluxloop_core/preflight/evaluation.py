"""Evaluation: the checks compile before the first run (a python check imports).

The shapes of checks (an unknown name, a missing parameter, a bad regex) are refused by
the config model and the inputs file's model; what is left is what only compiling shows:
a ``python`` check whose function cannot be imported, and an ``llm_judge`` that may not
call its endpoint (``llm.enabled: false``, no key; see judge_client.py). The compiled plan
is what the runner grades with, so validate and the run import the same functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fluxloop_core.config.loader import (
    KeyPath,
    LoadedConfig,
    Positions,
    nearest_position,
    parse_key_path,
    parse_yaml,
    read_config_text,
)
from fluxloop_core.errors import ConfigError, UserError
from fluxloop_core.evaluation.judge_client import http_judges
from fluxloop_core.evaluation.spec import CheckBase
from fluxloop_core.evaluation.verdicts import EvaluationPlan, compile_plan
from fluxloop_core.preflight.inputs import InputItem
from fluxloop_core.preflight.problem import Problem, located

INPUTS_FILE_ROOT = "inputs"


def _inputs_file_key(index: int) -> KeyPath:
    return (INPUTS_FILE_ROOT, index, "checks")


def _base_inputs_key(index: int) -> KeyPath:
    return ("base_inputs", index, "checks")


def evaluates(loaded: LoadedConfig, input_checks: Sequence[Sequence[CheckBase]]) -> bool:
    """Whether runs are graded: the config has an ``evaluation`` section or an input has
    its own checks."""
    return loaded.config.evaluation is not None or any(input_checks)


def evaluation_plan(
    loaded: LoadedConfig, positions: Positions, inputs: Sequence[InputItem]
) -> tuple[EvaluationPlan | None, list[Problem]]:
    """The compiled plan (None when nothing is graded), or the problem of the check that
    does not compile, at its file:line:key (the inputs file's, for its inputs' checks)."""
    input_checks = [item.checks for item in inputs]
    if not evaluates(loaded, input_checks):
        return None, []
    config = loaded.config
    inputs_file = config.inputs_file
    try:
        plan = compile_plan(
            config.evaluation,
            {index: checks for index, checks in enumerate(input_checks) if checks},
            working_directory=config.runner.working_directory,
            judge=http_judges(loaded),
            input_key=_base_inputs_key if inputs_file is None else _inputs_file_key,
        )
    except ConfigError as error:
        return None, [Problem.from_error("config", _placed(error, loaded, positions))]
    plan.inputs = tuple((item.text, item.metadata) for item in inputs)
    return plan, []


def _placed(error: ConfigError, loaded: LoadedConfig, positions: Positions) -> UserError:
    inputs_file = loaded.config.inputs_file
    if error.key is None or inputs_file is None or not error.key.startswith(INPUTS_FILE_ROOT):
        return located(error, loaded, positions)
    # A check of an inputs file's input: its line in that file.
    error.file = str(inputs_file)
    file_positions = _positions_of(inputs_file)
    error.line, error.column = nearest_position(parse_key_path(error.key), file_positions)
    return error


def _positions_of(path: Path) -> Positions:
    try:
        return parse_yaml(read_config_text(path), path)[1]
    except ConfigError:
        return {}  # it parsed a moment ago; gone now: the file name alone
