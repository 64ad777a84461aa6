"""FluxLoop core: the headless engine behind the `fluxloop` CLI and the TUI.

Nothing in this package imports textual; front ends call these functions and render
the events they emit.
"""

DISTRIBUTION = "fluxloop-workbench"
"""The distribution that installs the core, the CLI and the TUI (pyproject.toml)."""

UNKNOWN_VERSION = "0+unknown"


def installed_version() -> str:
    """The version in the installed distribution's metadata: written once, in pyproject.toml.

    :data:`UNKNOWN_VERSION` when the package is imported from a source tree that was never
    installed.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        return UNKNOWN_VERSION


def __getattr__(name: str) -> str:
    # Read on first use only: `fluxloop --help` and every import of the core stay light.
    if name == "__version__":
        return installed_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
