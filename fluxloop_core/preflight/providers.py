"""``replay_args.callable_providers``: each provider well formed, none missing."""

from __future__ import annotations

from fluxloop_core.config.loader import LoadedConfig, Positions
from fluxloop_core.errors import ReplayError
from fluxloop_core.preflight.problem import Problem, at_key
from fluxloop_core.recording import RecordedCall, missing_providers
from fluxloop_core.target_probe import PROVIDERS_KEY

BUILTIN_PROVIDERS: tuple[str, ...] = ("builtin:collector.send", "builtin:collector.error")
PROVIDER_HINT = f"Use {' or '.join(BUILTIN_PROVIDERS)}, or module:function for your own."
CAPTURE = "capture"
"""The provider of a callable that cannot reach an agent that is not imported
(``runner.http``, ``runner.command``): the agent's answer is its one call."""
CAPTURE_HINT = (
    "A callable cannot be sent to an agent behind runner.http or runner.command: map it "
    "to capture (the agent's answer is recorded as its call), e.g. callable_providers: "
    '{send: "capture"}.'
)


def provider_shape_problem(spec: str) -> str | None:
    """Why ``spec`` is neither a known builtin nor ``module:function``, or None."""
    if spec.startswith("builtin:"):
        return None if spec in BUILTIN_PROVIDERS else f"unknown builtin provider {spec!r}"
    module, sep, qualname = spec.partition(":")
    if not sep or not module or not all(qualname.split(".")):
        return f'provider {spec!r} is not "builtin:..." or "module:function"'
    return None


def custom_providers(specs: dict[str, str]) -> dict[str, str]:
    """The well-formed ``module:function`` providers (the ones to import)."""
    return {
        name: spec
        for name, spec in specs.items()
        if not spec.startswith("builtin:") and provider_shape_problem(spec) is None
    }


def shape_problems(loaded: LoadedConfig, positions: Positions) -> list[Problem]:
    """A problem for each provider that is neither a known builtin nor module:function
    (``capture`` instead, and only it, for a target that is not imported)."""
    remote = loaded.config.runner.remote_key
    problems = []
    for name, spec in loaded.config.replay_args.callable_providers.items():
        hint = CAPTURE_HINT if remote else PROVIDER_HINT
        why: str | None
        if remote:
            why = (
                None
                if spec == CAPTURE
                else f"{spec!r} cannot be called by an agent behind {remote}"
            )
        elif spec == CAPTURE:
            why = "capture is for targets that are not imported (runner.http, runner.command)"
        else:
            why = provider_shape_problem(spec)
        if why is not None:
            key = f"{PROVIDERS_KEY}.{name}"
            problems.append(at_key(loaded, positions, "config", key, why, hint))
    return problems


def missing_problems(
    loaded: LoadedConfig, positions: Positions, calls: list[RecordedCall]
) -> list[Problem]:
    """Callable parameters of the recorded calls that have no provider."""
    missing = missing_providers(calls, loaded.config.replay_args.callable_providers)
    if not missing:
        return []
    provider = CAPTURE if loaded.config.runner.remote_key else "builtin:collector.send"
    lines = "\n".join(f'      {name}: "{provider}"' for name in missing)
    return [
        at_key(
            loaded,
            positions,
            "recording",
            PROVIDERS_KEY,
            "Missing callable providers for recorded parameters: " + ", ".join(missing),
            "Add a provider for each to setting.yaml:\n"
            f"  replay_args:\n    callable_providers:\n{lines}",
            raises=ReplayError,
        )
    ]
