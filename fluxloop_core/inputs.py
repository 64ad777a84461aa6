"""The inputs file (inputs/generated.yaml): what generation writes and the runner reads.

Shape::

    generated_at: "2026-11-24T21:00:00+00:00"   # header fields are optional, so a
    mode: deterministic                          # hand-written file needs only `inputs:`
    strategies: [rephrase, verbose]
    model: null
    seed: 0
    sources: ["base_inputs"]
    inputs:
      - input: "Hello world"
        metadata: {strategy: rephrase, base_index: 0}
      - input: "hello wrld"
        metadata:
          strategy: error_prone
          source: {recording_file: recordings/args.jsonl, line_number: 3, iteration: 2}

Files written by fluxloop-cli 0.2.x read too (see :mod:`fluxloop_core.legacy_inputs`).

An input whose metadata carries ``source`` came from a recorded call; the runner replays it
with that call.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from fluxloop_core.config.loader import (
    format_key_path,
    nearest_position,
    parse_yaml,
    read_config_text,
)
from fluxloop_core.errors import ConfigError, InputsError
from fluxloop_core.evaluation.spec import InputChecks
from fluxloop_core.files import write_atomic
from fluxloop_core.legacy_inputs import normalize_inputs
from fluxloop_core.wording import problem_text


class InputSource(BaseModel):
    """The recorded call an input was generated from."""

    model_config = ConfigDict(extra="allow", strict=True)

    recording_file: str
    line_number: int = Field(ge=1)
    iteration: int


class GeneratedInput(BaseModel):
    """One input: the text passed to the agent and free-form metadata."""

    model_config = ConfigDict(extra="forbid", strict=True)

    input: str
    metadata: dict[str, Any] = Field(default_factory=dict)
    checks: InputChecks = Field(default_factory=list)

    @property
    def source(self) -> InputSource | None:
        """The recorded call this input came from, when it came from one."""
        raw = self.metadata.get("source")
        if not isinstance(raw, dict):
            return None
        try:
            return InputSource.model_validate(raw)
        except ValidationError:
            return None


class InputsFile(BaseModel):
    """An inputs file: an optional header describing how it was made, and the inputs."""

    model_config = ConfigDict(extra="forbid", strict=True)

    generated_at: str | None = None
    mode: str | None = None
    strategies: list[str] = Field(default_factory=list)
    model: str | None = None
    seed: int | None = None
    sources: list[str] = Field(default_factory=list)
    inputs: list[GeneratedInput]


def _as_inputs_error(error: ConfigError) -> InputsError:
    return InputsError(
        error.message,
        file=error.file,
        line=error.line,
        column=error.column,
        key=error.key,
        hint=error.hint,
    )


def load_inputs_file(path: str | Path) -> InputsFile:
    """Read and validate an inputs file; every mistake is an InputsError naming the line."""
    path = Path(path)
    if not path.is_file():
        raise InputsError(
            "inputs file not found" if not path.exists() else "is a directory, not a file",
            file=path,
            hint="Create it with `fluxloop generate inputs --config setting.yaml`, "
            "or fix `inputs_file` (relative paths are from the config file's folder).",
        )
    try:
        data, positions = parse_yaml(read_config_text(path), path)
    except ConfigError as error:
        raise _as_inputs_error(error) from None
    data, positions = normalize_inputs(data, positions)  # 0.2.x files, labels beside input
    if not isinstance(data, dict) or "inputs" not in data:
        raise InputsError(
            "must be a mapping with an `inputs:` list",
            file=path,
            line=1,
            hint='Write `inputs:` followed by items like `- input: "Hello"`.',
        )
    try:
        return InputsFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = tuple(p for p in first["loc"] if isinstance(p, int | str))
        line, column = nearest_position(loc, positions)
        raise InputsError(
            problem_text(first),
            file=path,
            line=line,
            column=column,
            key=format_key_path(loc) or None,
            hint="Each item needs `input:` (text) and may have `metadata:` (a mapping).",
        ) from None


def dump_inputs_yaml(inputs_file: InputsFile) -> str:
    """The YAML text of an inputs file, header first, unicode kept readable."""
    data = inputs_file.model_dump(mode="json")
    for item, model in zip(data["inputs"], inputs_file.inputs, strict=True):
        # An input's own checks are written with the parameters given; none (the usual
        # case) is left out.
        item.pop("checks")
        if model.checks:
            item["checks"] = [
                c.model_dump(mode="json", exclude_defaults=True) for c in model.checks
            ]
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def write_inputs_file(path: str | Path, inputs_file: InputsFile) -> None:
    """Write an inputs file atomically (a failure leaves the previous file untouched)."""
    write_atomic(Path(path), dump_inputs_yaml(inputs_file))
