"""Layered environment: process env > project .env > the workspace's global fluxloop/.env.

``fluxloop init project`` makes ``fluxloop/.env`` (shared by every project of the workspace)
and ``fluxloop/NAME/.env`` (this project's overrides). Values are read, never written into
``os.environ``: the runner hands them to the runs it starts.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from fluxloop_core.config.layout import workspace_env_file
from fluxloop_core.errors import ConfigError
from fluxloop_core.redaction import remember

SOURCE_PROCESS = "process"
SOURCE_PROJECT = "project .env"
SOURCE_GLOBAL = "global .env"
SOURCE_DEFAULT = "default"


@dataclass(frozen=True)
class EnvVariable:
    """A variable FluxLoop reads, as documented in the README."""

    name: str
    description: str
    secret: bool = False
    default: str | None = None


KNOWN_VARIABLES: tuple[EnvVariable, ...] = (
    EnvVariable("FLUXLOOP_ENABLED", "turn the SDK's tracing on or off", default="true"),
    EnvVariable("FLUXLOOP_DEBUG", "log the SDK's internals", default="false"),
    EnvVariable("FLUXLOOP_COLLECTOR_URL", "where the SDK sends traces"),
    EnvVariable("FLUXLOOP_API_KEY", "the collector's API key", secret=True),
    EnvVariable("FLUXLOOP_RECORD_ARGS", "record call arguments to a file", default="false"),
    EnvVariable(
        "FLUXLOOP_RECORDING_FILE", "where recorded calls go", default="/tmp/fluxloop_args.jsonl"
    ),
    EnvVariable("FLUXLOOP_SAMPLE_RATE", "share of traces exported (0..1)", default="1.0"),
    EnvVariable("FLUXLOOP_BATCH_SIZE", "traces per collector request", default="10"),
    EnvVariable("FLUXLOOP_FLUSH_INTERVAL", "seconds between collector flushes", default="5.0"),
    EnvVariable("FLUXLOOP_USE_COLLECTOR", "send traces to the collector at all", default="true"),
    EnvVariable(
        "FLUXLOOP_COLLECTOR_FORMAT",
        "collector wire format: fluxloop (batched) or legacy (0.1.x)",
        default="fluxloop",
    ),
    EnvVariable("FLUXLOOP_MAX_QUEUE_SIZE", "traces held for the collector", default="10000"),
    EnvVariable("FLUXLOOP_TIMEOUT", "seconds per collector request", default="10.0"),
    EnvVariable("FLUXLOOP_SERVICE_NAME", "service name sent with traces"),
    EnvVariable("FLUXLOOP_ENVIRONMENT", "environment name sent with traces", default="development"),
    EnvVariable(
        "FLUXLOOP_OFFLINE_ENABLED", "0.1.x offline store (accepted, unused)", default="true"
    ),
    EnvVariable("FLUXLOOP_OFFLINE_DIR", "0.1.x offline store folder (accepted, unused)"),
    EnvVariable("OPENAI_API_KEY", "OpenAI key for LLM input generation", secret=True),
    EnvVariable("ANTHROPIC_API_KEY", "Anthropic key for LLM input generation", secret=True),
    EnvVariable(
        "FLUXLOOP_LLM_API_KEY", "fallback key when the provider's own is unset", secret=True
    ),
)

_PROVIDER_KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY"}
LLM_FALLBACK_KEY = "FLUXLOOP_LLM_API_KEY"


@dataclass(frozen=True)
class LayeredEnv(Mapping[str, str]):
    """The merged environment, remembering which layer each value came from."""

    variables: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    project_env_file: Path | None = None
    global_env_file: Path | None = None

    def __getitem__(self, name: str) -> str:
        return self.variables[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.variables)

    def __len__(self) -> int:
        return len(self.variables)

    def source(self, name: str) -> str:
        """Where ``name`` came from: process, project .env, global .env, or default."""
        return self.sources.get(name, SOURCE_DEFAULT)

    def dotenv_values(self) -> dict[str, str]:
        """Only the values that came from .env files (what a child process lacks)."""
        return {k: v for k, v in self.variables.items() if self.sources.get(k) != SOURCE_PROCESS}


def read_env_file(path: Path) -> dict[str, str]:
    """Parse a .env file; a file that cannot be read is a ConfigError naming it."""
    from dotenv import dotenv_values

    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"is not UTF-8 text (byte {exc.start})",
            file=path,
            hint="Save the .env file as UTF-8.",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot be read: {exc.strerror}", file=path) from None
    if "\0" in text:  # no environment value can hold one: the run would fail to start
        raise ConfigError(
            "holds a NUL byte (\\0), which no environment value can hold",
            file=path,
            line=text.count("\n", 0, text.index("\0")) + 1,
            hint="Remove it.",
        )
    import io

    parsed = dotenv_values(stream=io.StringIO(text))
    return {k: v for k, v in parsed.items() if v is not None}


def load_layered_env(
    project_dir: Path, *, process_env: Mapping[str, str] | None = None
) -> LayeredEnv:
    """Merge process env > ``project_dir/.env`` > the workspace's global ``fluxloop/.env``."""
    process = dict(os.environ if process_env is None else process_env)
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    global_file = workspace_env_file(project_dir)
    project_file = project_dir / ".env"
    layers: list[tuple[str, dict[str, str]]] = []
    if global_file is not None:
        layers.append((SOURCE_GLOBAL, read_env_file(global_file)))
    if project_file.is_file() and project_file.resolve() != (global_file or Path()).resolve():
        layers.append((SOURCE_PROJECT, read_env_file(project_file)))
    layers.append((SOURCE_PROCESS, process))
    for source, layer in layers:
        remember(layer)  # its secrets are hidden from everything FluxLoop shows or stores
        for name, value in layer.items():
            values[name] = value
            sources[name] = source
    return LayeredEnv(
        variables=values,
        sources=sources,
        project_env_file=project_file if project_file.is_file() else None,
        global_env_file=global_file,
    )


def provider_key_variable(provider: str) -> str:
    """The variable holding a provider's key (the fallback variable for unknown providers)."""
    return _PROVIDER_KEYS.get(provider.lower(), LLM_FALLBACK_KEY)


def resolve_llm_key(provider: str, env: Mapping[str, str]) -> tuple[str | None, str | None]:
    """``(key, variable it came from)``; FLUXLOOP_LLM_API_KEY is the fallback."""
    for name in (provider_key_variable(provider), LLM_FALLBACK_KEY):
        value = env.get(name)
        if value:
            return value, name
    return None, None
