"""FluxLoop SDK: instrument an agent, record the arguments it receives, export traces."""

__version__ = "0.1.0"
