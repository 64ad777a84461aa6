"""Inputs: the inputs file parses, and there is something to run."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.errors import UserError
from fluxloop_core.evaluation.spec import CheckBase
from fluxloop_core.inputs import load_inputs_file
from fluxloop_core.preflight.problem import Problem, at_key


class InputItem(NamedTuple):
    """One input: its text, metadata and own checks."""

    text: str
    metadata: dict[str, Any]
    checks: Sequence[CheckBase]


def run_inputs(loaded: LoadedConfig, positions: Positions) -> tuple[list[InputItem], list[Problem]]:
    """The inputs a run feeds the agent (``inputs_file`` when set, else ``base_inputs``),
    or the problems that leave it nothing to run."""
    config = loaded.config
    if config.inputs_file is not None:
        try:
            loaded_file = load_inputs_file(config.inputs_file)
        except UserError as error:
            return [], [Problem.from_error("inputs", error)]
        items = [InputItem(i.input, i.metadata, i.checks) for i in loaded_file.inputs]
        if not items:
            return [], [
                Problem(
                    kind="inputs",
                    message="no inputs to run: the file holds no inputs",
                    file=config.inputs_file,
                    key="inputs",
                    hint="Run `fluxloop generate inputs` or add items under `inputs:`.",
                )
            ]
        return items, []
    items = [InputItem(i.input, i.metadata, i.checks) for i in config.base_inputs]
    if not items:
        return [], [
            at_key(
                loaded,
                positions,
                "inputs",
                "base_inputs",
                "no inputs to run: base_inputs is empty and inputs_file is not set",
                'Add `base_inputs:` with items like `- input: "Hello"`, or set inputs_file '
                "(`fluxloop generate inputs` writes one).",
            )
        ]
    return items, []
