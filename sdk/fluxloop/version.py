"""The SDK's version: written once, in sdk/pyproject.toml, and read from the installed
distribution's metadata when asked for (``fluxloop.__version__``, the collector's
User-Agent). Importing importlib.metadata would cost every agent start-up otherwise."""

from __future__ import annotations

from functools import cache

UNKNOWN_VERSION = "0+unknown"


@cache
def installed_version() -> str:
    """The version of the distribution that installed this package.

    The SDK's own (``fluxloop``) when installed alone; else whichever distribution ships
    the ``fluxloop`` package (the workbench bundles it); else :data:`UNKNOWN_VERSION`
    (imported from a source tree that was never installed).
    """
    from importlib.metadata import PackageNotFoundError, packages_distributions, version

    try:
        return version("fluxloop")
    except PackageNotFoundError:
        for name in packages_distributions().get("fluxloop", []):
            try:
                return version(name)
            except PackageNotFoundError:
                continue
    return UNKNOWN_VERSION
