"""What to generate: the config's input_generation, overridden by a front end's choices."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import STRATEGIES
from fluxloop_core.errors import UsageError

Mode = Literal["deterministic", "llm"]


@dataclass
class GenerationRequest:
    """One generation: mode, strategies, total count, seed, source and options."""

    mode: Mode
    strategies: list[str]
    limit: int | None
    seed: int
    from_recording: Path | None = None
    output: Path | None = None
    use_cache: bool = True
    strict: bool = False
    personas: tuple[str, ...] = ()
    """``--personas``: each base and strategy once per persona, tagged ``metadata.persona``."""


def check_strategies(strategies: list[str]) -> list[str]:
    """The strategies, or a UsageError listing the valid ones."""
    unknown = [s for s in strategies if s not in STRATEGIES]
    if unknown:
        raise UsageError(
            f"unknown strateg{'y' if len(unknown) == 1 else 'ies'}: {', '.join(unknown)}",
            hint=f"Valid strategies: {', '.join(STRATEGIES)}.",
        )
    if not strategies:
        raise UsageError("no strategies to apply", hint=f"Use any of {', '.join(STRATEGIES)}.")
    return list(dict.fromkeys(strategies))


def request_from_config(loaded: LoadedConfig, **overrides: Any) -> GenerationRequest:
    """The config's input_generation with every non-None override applied."""
    settings = loaded.config.input_generation
    given = {key: value for key, value in overrides.items() if value is not None}
    request = GenerationRequest(
        mode=given.pop("mode", settings.mode),
        strategies=check_strategies(list(given.pop("strategies", settings.strategies))),
        limit=given.pop("limit", settings.limit),
        seed=given.pop("seed", settings.seed),
    )
    for key, value in given.items():
        if not hasattr(request, key):
            raise TypeError(f"unknown generation option {key!r}")
        setattr(request, key, value)
    if request.limit is not None and request.limit < 1:
        raise UsageError(f"must be at least 1, got {request.limit}", key="input_generation.limit")
    return request


def chosen_personas(loaded: LoadedConfig, given: str) -> tuple[str, ...]:
    """The personas ``--personas`` names (comma-separated; ``*``: every one of the
    config's), or a UsageError naming the ``personas`` key."""
    defined = [persona.name for persona in loaded.config.personas]
    if not defined:
        raise UsageError(
            "persona-tagged inputs need the config's personas, but it defines none",
            file=loaded.path,
            key="personas",
            hint="Add personas: to the config, e.g. personas: [{name: impatient_customer, "
            "description: wants a number, fast}], or generate without --personas.",
        )
    if given == "*":
        return tuple(defined)
    names = tuple(dict.fromkeys(name.strip() for name in given.split(",") if name.strip()))
    unknown = [name for name in names if name not in defined]
    if unknown or not names:
        chosen = ", ".join(map(repr, unknown))
        raise UsageError(
            f"the personas chosen name {chosen}, which personas: does not define"
            if unknown
            else "no persona was chosen by name",
            file=loaded.path,
            key="personas",
            hint=f"Choose among: {', '.join(defined)} (or --personas alone for all).",
        )
    return names


def default_output_path(loaded: LoadedConfig) -> Path:
    """inputs/generated.yaml beside the config file."""
    return loaded.project_dir / "inputs" / "generated.yaml"
