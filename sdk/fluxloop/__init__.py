"""FluxLoop SDK: trace an AI agent's calls, record their arguments, export to a collector.

import fluxloop

@fluxloop.agent()
def run(input_text: str) -> str:
    return f"Processed: {input_text}"
"""

from fluxloop.config import ConfigurationError, SDKConfig, configure, get_config, reset_config
from fluxloop.decorators import agent, instrument, prompt, tool, trace
from fluxloop.exporter import exporter_stats, flush
from fluxloop.recording import record_call_args, set_recording_options
from fluxloop.redaction import DEFAULT_REDACT_KEYS
from fluxloop.spans import capture_spans

__version__ = "0.1.0"

__all__ = [
    "DEFAULT_REDACT_KEYS",
    "ConfigurationError",
    "SDKConfig",
    "__version__",
    "agent",
    "capture_spans",
    "configure",
    "exporter_stats",
    "flush",
    "get_config",
    "instrument",
    "prompt",
    "record_call_args",
    "reset_config",
    "set_recording_options",
    "tool",
    "trace",
]
