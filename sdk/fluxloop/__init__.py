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

# The version is written once, in sdk/pyproject.toml, and read from the installed
# distribution's metadata when asked for (importing importlib.metadata costs every agent
# start-up time otherwise).
UNKNOWN_VERSION = "0+unknown"

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


def _installed_version() -> str:
    """The version of the distribution that installed this package.

    The SDK's own (``fluxloop``) when installed alone; else whichever distribution ships
    the ``fluxloop`` package (the workbench bundles it); else :data:`UNKNOWN_VERSION`
    (imported from a source tree that was never installed).
    """
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    try:
        return version("fluxloop")
    except PackageNotFoundError:
        for name in packages_distributions().get(__name__, []):
            try:
                return version(name)
            except PackageNotFoundError:
                continue
    return UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    if name == "__version__":
        return _installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
