"""FluxLoop SDK: trace an AI agent's calls, record their arguments, export to a collector.

import fluxloop

@fluxloop.agent()
def run(input_text: str) -> str:
    return f"Processed: {input_text}"

The public API of the released fluxloop 0.1.x SDK is accepted too (see sdk/README.md).
"""

from fluxloop.client import FluxLoopClient
from fluxloop.config import (
    ConfigurationError,
    SDKConfig,
    configure,
    get_config,
    load_env,
    reset_config,
)
from fluxloop.context import FluxLoopContext, get_current_context, instrument
from fluxloop.decorators import agent, prompt, tool, trace
from fluxloop.experiment import ExperimentConfig, PersonaConfig, RunnerConfig, VariationStrategy
from fluxloop.exporter import exporter_stats, flush
from fluxloop.models import (
    Observation,
    ObservationLevel,
    ObservationType,
    Score,
    ScoreDataType,
    Trace,
    TraceStatus,
)
from fluxloop.recording import (
    disable_recording,
    enable_recording,
    record_call_args,
    set_recording_options,
)
from fluxloop.redaction import DEFAULT_REDACT_KEYS
from fluxloop.spans import capture_spans
from fluxloop.usage import record_usage

__all__ = [
    "DEFAULT_REDACT_KEYS",
    "ConfigurationError",
    "ExperimentConfig",
    "FluxLoopClient",
    "FluxLoopContext",
    "Observation",
    "ObservationLevel",
    "ObservationType",
    "PersonaConfig",
    "RunnerConfig",
    "SDKConfig",
    "Score",
    "ScoreDataType",
    "Trace",
    "TraceStatus",
    "VariationStrategy",
    "__version__",
    "agent",
    "capture_spans",
    "configure",
    "disable_recording",
    "enable_recording",
    "exporter_stats",
    "flush",
    "get_config",
    "get_current_context",
    "instrument",
    "load_env",
    "prompt",
    "record_call_args",
    "record_usage",
    "reset_config",
    "set_recording_options",
    "tool",
    "trace",
]


def __getattr__(name: str) -> str:
    if name == "__version__":
        from fluxloop.version import installed_version

        return installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
