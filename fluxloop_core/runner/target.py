"""Find the agent a config names: ``module:function``, ``module:Class.method`` or
``module:obj.method``, and hand out a fresh callable for every run."""

from __future__ import annotations

import contextlib
import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxloop_core.errors import TargetError
from fluxloop_core.target_probe import (
    CONSTRUCTOR_HINT,
    IMPORT_HINT,
    constructor_problem,
    is_instance_method,
    raised_at_import,
    walk,
)

SINGLE_IMPORT_HINT = (
    "Run it from the folder that holds the module, or pass --working-directory DIR "
    "(the folder put on sys.path)."
)


@dataclass(frozen=True)
class Target:
    """A resolved target. ``owner`` is set when each run needs a new instance of a class."""

    spec: str
    function: Callable[..., Any]
    owner: type | None = None
    attribute: str = ""

    @property
    def is_async(self) -> bool:
        """Whether calls return a coroutine or an async generator (run on the event loop)."""
        return inspect.iscoroutinefunction(self.function) or inspect.isasyncgenfunction(
            self.function
        )

    def bind(self) -> Callable[..., Any]:
        """The callable for one run: a method of a fresh instance for ``Class.method``."""
        if self.owner is None:
            return self.function
        bound: Callable[..., Any] = getattr(self.owner(), self.attribute)
        return bound


# Never forgotten: FluxLoop itself, whose state (SDK config, exporter) outlives experiments.
_OWN_PACKAGES = frozenset({"fluxloop", "fluxloop_core", "fluxloop_tui"})


def _installed(module: Any) -> bool:
    """Whether ``module`` comes with the interpreter or an installed (non-editable) package."""
    where = getattr(module, "__file__", None)
    if where is None:
        paths = list(getattr(module, "__path__", []))
        where = paths[0] if paths else None
    if where is None:  # built in, or a namespace without a folder
        return True
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    return any(str(where).startswith(prefix + "/") for prefix in prefixes)


def _user_module(name: str, module: Any) -> bool:
    return module is not None and name.split(".")[0] not in _OWN_PACKAGES and not _installed(module)


def _forget(names: list[str]) -> None:
    """Drop the user modules among ``names`` from ``sys.modules`` (installed ones stay)."""
    stale = [name for name in names if _user_module(name, sys.modules.get(name))]
    for name in stale:
        sys.modules.pop(name, None)
    if stale:
        importlib.invalidate_caches()


@contextlib.contextmanager
def imports_kept_local() -> Iterator[None]:
    """Forget, on the way out, the user modules imported inside (the agent and its
    helpers), so the next experiment, maybe of another project, imports its own."""
    before = set(sys.modules)
    try:
        yield
    finally:
        _forget(list(set(sys.modules) - before))


def forget_user_modules(specs: list[str]) -> None:
    """Drop the packages of ``specs`` (``module:attr`` strings) from ``sys.modules``.

    A long-lived process (the TUI) runs many experiments, possibly of several projects
    whose agents share a module name; each experiment must import the agent as it is on
    disk now, from its own working directory. Installed packages are kept.
    """
    tops = {spec.partition(":")[0].split(".")[0] for spec in specs}
    _forget([name for name in list(sys.modules) if name.split(".")[0] in tops])


def split_target(spec: str) -> tuple[str, list[str]]:
    """``"pkg.mod:Class.method"`` -> ``("pkg.mod", ["Class", "method"])``."""
    module, sep, qualname = spec.partition(":")
    parts = qualname.split(".")
    if not sep or not module or not all(parts):
        raise TargetError(
            f'target {spec!r} is not "module.path:function" or "module.path:Class.method"',
            key="runner.target",
        )
    return module, parts


def import_module(
    module_name: str, spec: str, working_directory: Path | None, *, hint: str = IMPORT_HINT
) -> Any:
    """Import ``module_name``; failures become a TargetError; ``hint`` says where to look
    when it is not found (the seed's config hint unless the caller has no config).

    A module that calls ``sys.exit()`` or raises KeyboardInterrupt at import is a broken
    module like any other, not a request to end FluxLoop with its code.
    """
    try:
        return importlib.import_module(module_name)
    except ImportError as exc:
        where = f" from {working_directory}" if working_directory is not None else ""
        raise TargetError(
            f"cannot import {spec}{where}: {type(exc).__name__}: {exc}",
            key="runner.target",
            hint=hint,
        ) from None
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        raise TargetError(
            raised_at_import(module_name, f"{type(exc).__name__}: {exc}"),
            key="runner.target",
            hint="Fix the error in the module (it runs at import time).",
        ) from None


def load_target(
    spec: str, working_directory: Path | None = None, *, import_hint: str = IMPORT_HINT
) -> Target:
    """Import and resolve ``spec``; the caller has put ``working_directory`` on sys.path.

    A plain function defined on a class (``Class.method``) means "a fresh instance per
    run", which requires a constructor without arguments.
    """
    module_name, parts = split_target(spec)
    module = import_module(module_name, spec, working_directory, hint=import_hint)
    obj, parent, missing = walk(module, module_name, parts)
    if missing is not None:
        raise TargetError(
            f"{missing} (runner.target {spec})",
            key="runner.target",
            hint="Check the spelling of the function, class and method names.",
        )
    if not callable(obj):
        raise TargetError(f"{spec} is not callable", key="runner.target")
    if is_instance_method(parent, parts[-1]):
        needs = constructor_problem(spec, parent)
        if needs is not None:
            raise TargetError(needs, key="runner.target", hint=CONSTRUCTOR_HINT)
        return Target(spec=spec, function=obj, owner=parent, attribute=parts[-1])
    return Target(spec=spec, function=obj)


class SysPath:
    """Puts a folder first on sys.path and takes it off again (only if it added it)."""

    def __init__(self, folder: Path) -> None:
        self.folder = str(folder)
        self._added = False

    def __enter__(self) -> SysPath:
        if self.folder not in sys.path:
            sys.path.insert(0, self.folder)
            self._added = True
        importlib.invalidate_caches()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._added:
            with contextlib.suppress(ValueError):  # someone else removed it already
                sys.path.remove(self.folder)
