"""Where variations start from: base_inputs, or the recorded calls of the target."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.errors import GenerationError
from fluxloop_core.evaluation.spec import InputChecks
from fluxloop_core.generation.request import GenerationRequest
from fluxloop_core.inputs import InputSource
from fluxloop_core.paths import PathNotFound, get_path
from fluxloop_core.recording import RecordedCall, RecordingProblem, callable_marker, read_recording


@dataclass
class Base:
    """One text to vary, with where it came from."""

    text: str
    metadata: dict[str, Any] = field(default_factory=dict)
    base_index: int | None = None
    source: InputSource | None = None
    checks: InputChecks = field(default_factory=list)
    """The base input's own checks: its variations are graded by them too."""


@dataclass
class BasePlan:
    """The bases, the recording lines skipped as broken, and the sources named in the header."""

    bases: list[Base]
    skipped: list[RecordingProblem]
    sources: list[str]


def _string_leaves(value: Any, prefix: str = "") -> list[str]:
    """Dot paths of every string inside ``value`` (callable markers excluded)."""
    if isinstance(value, str):
        return [] if callable_marker(value) else [prefix]
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = [(str(k), v) for k, v in value.items()]
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return []
    found: list[str] = []
    for key, child in items:
        found += _string_leaves(child, f"{prefix}.{key}" if prefix else key)
    return found


def _base_text(call: RecordedCall, path: str | None, recording: Path) -> str:
    if path is None:
        # Without override_param_path, a call holding exactly one text is unambiguous
        # (the seed's mock recording: {"data": {"content": "test"}}).
        leaves = _string_leaves(call.kwargs)
        if len(leaves) == 1:
            path = leaves[0]
        else:
            raise GenerationError(
                "replay_args.override_param_path is not set and the recorded call holds "
                f"{'no' if not leaves else len(leaves)} texts, so which one to vary is unknown",
                file=recording,
                line=call.line_number,
                hint="Set it to the dot path of the input, e.g. `override_param_path: "
                f"data.content`; texts here: {', '.join(leaves[:10]) or 'none'}.",
            )
    try:
        value = get_path(call.kwargs, path)
    except PathNotFound as exc:
        raise GenerationError(
            str(exc),
            file=recording,
            line=call.line_number,
            key="replay_args.override_param_path",
            hint="Point override_param_path at the text in the recorded kwargs.",
        ) from None
    return value if isinstance(value, str) else str(value)


def plan_bases(loaded: LoadedConfig, request: GenerationRequest) -> BasePlan:
    """The bases for a generation: the recording's calls when given, else base_inputs."""
    config = loaded.config
    from_recording = request.from_recording
    if from_recording is None:
        if not config.base_inputs:
            raise GenerationError(
                "there are no base_inputs to vary",
                file=loaded.path,
                key="base_inputs",
                hint='Add some (`base_inputs: [{input: "Hello"}]`) or generate from a recording.',
            )
        bases = [
            Base(
                text=item.input,
                metadata=dict(item.metadata),
                base_index=index,
                checks=item.checks,
            )
            for index, item in enumerate(config.base_inputs)
        ]
        return BasePlan(bases, [], ["base_inputs"])
    target = config.runner.resolved_target
    recording = read_recording(from_recording, target=target, strict=request.strict)
    if not recording.calls:
        others = ", ".join(f"{t} ({n})" for t, n in recording.other_targets.items())
        raise GenerationError(
            f"no recorded call of {target}",
            file=from_recording,
            hint=f"It holds calls of: {others}. Set runner.target to one of them."
            if others
            else "The file holds no valid recorded call.",
        )
    path = config.replay_args.override_param_path
    shown = str(from_recording)
    bases = [
        Base(
            text=_base_text(call, path, from_recording),
            source=InputSource(
                recording_file=shown, line_number=call.line_number, iteration=call.iteration
            ),
        )
        for call in recording.calls
    ]
    return BasePlan(bases, recording.problems, [shown])
