"""The SDK's version, in one place (``fluxloop.__version__`` and the collector User-Agent)."""

__version__ = "0.1.0"
