"""FluxLoop core: the headless engine behind the `fluxloop` CLI and the TUI.

Nothing in this package imports textual; front ends call these functions and render
the events they emit.
"""

__version__ = "0.1.0"
