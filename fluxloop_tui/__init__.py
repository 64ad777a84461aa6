"""FluxLoop's full-screen terminal UI: a thin Textual skin over fluxloop_core."""
