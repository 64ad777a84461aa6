"""The plain `fluxloop` command line: thin handlers over fluxloop_core services."""
