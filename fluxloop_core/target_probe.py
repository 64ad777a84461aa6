"""How a target and its custom providers resolve: the rules, and a script that applies them.

Standard library only, and run by path (``python probe.py TARGET FOLDER PROVIDERS
[instance]``) by
the interpreter that will run the agent — ``runner.python_path`` may have neither pydantic
nor fluxloop_core. The same functions resolve the agent in-process
(:mod:`fluxloop_core.runner.target`, :mod:`fluxloop_core.runner.providers`), so ``config
validate`` and ``run experiment`` apply one rule. The script prints one marked JSON line:
a list of ``{"key", "kind", "text"}`` problems (empty when everything resolves). With
``instance`` (a conversation without ``history_param``), a target that is not a
``Class.method`` is a problem of kind ``no_instance``: nothing would keep the history.
"""

from __future__ import annotations

import importlib
import inspect
import json
import os
import sys
from typing import Any

MARK = "__fluxloop_import_check__:"
TARGET_KEY = "runner.target"
PROVIDERS_KEY = "replay_args.callable_providers"
NO_INSTANCE = "no_instance"
"""The kind of problem of a conversation's target that keeps no instance."""
# The hints a target problem carries, whether the import check or the run found it.
IMPORT_HINT = (
    "Set working_directory in your config to the folder that holds the module, e.g. "
    'runner: working_directory: "."  (or the path to your project root).'
)
CONSTRUCTOR_HINT = (
    "Give those parameters defaults, or create an instance at module level "
    'and target it as "module:instance.method".'
)


def raised_at_import(module_name: str, what: str) -> str:
    """How an exception raised while importing the agent's (or a provider's) module is
    reported, by the run and by the import check (``what`` is ``"SystemExit: 3"``)."""
    return f"importing {module_name} raised {what}"


def walk(obj: Any, module_name: str, parts: list[str]) -> tuple[Any, Any, str | None]:
    """``(object, its parent, None)`` at the end of ``parts``, or a problem's text."""
    parent: Any = None
    walked = module_name
    for part in parts:
        if not hasattr(obj, part):
            return None, None, f"{walked} has no attribute {part!r}"
        parent, obj = obj, getattr(obj, part)
        walked += (":" if walked == module_name else ".") + part
    return obj, parent, None


def is_instance_method(parent: Any, name: str) -> bool:
    """Whether ``parent.name`` is a plain function of a class: each run needs an instance.

    A staticmethod or classmethod can be called on the class itself.
    """
    if not isinstance(parent, type):
        return False
    raw = inspect.getattr_static(parent, name, None)
    return not isinstance(raw, (staticmethod, classmethod)) and inspect.isfunction(raw)


def constructor_problem(spec: str, cls: type) -> str | None:
    """Why a fresh ``cls()`` cannot be made for each run of ``spec``, or None."""
    try:
        signature = inspect.signature(cls)
    except (TypeError, ValueError):
        return None  # builtins without a signature: let the call itself decide
    kinds = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )
    required = [
        name
        for name, param in signature.parameters.items()
        if param.default is inspect.Parameter.empty and param.kind in kinds
    ]
    if not required:
        return None
    return (
        f"{spec}: each run creates a new {cls.__name__}() but its constructor "
        f"needs arguments ({', '.join(required)})"
    )


def resolve_provider(spec: str) -> tuple[Any, str | None]:
    """The function a ``module:function`` provider names, or why it cannot be used."""
    module_name, _, qualname = spec.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as exc:
        return None, f"provider {spec!r} cannot be imported: {type(exc).__name__}: {exc}"
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        raised = raised_at_import(module_name, f"{type(exc).__name__}: {exc}")
        return None, f"provider {spec!r} cannot be imported: {raised}"
    for part in qualname.split("."):
        obj = getattr(obj, part, None)
    if obj is None or not callable(obj):
        return None, f"provider {spec!r} is not a callable"
    if inspect.isclass(obj):
        return None, f"provider {spec!r} is a class; name a function (it is passed as the callable)"
    return obj, None


def _target_problem(target: str, needs_instance: bool) -> dict[str, str] | None:
    module_name, _, qualname = target.partition(":")
    try:
        obj = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        parts = module_name.split(".")
        own = exc.name in {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
        return {"kind": "not_found" if own else "dependency", "text": str(exc)}
    except (Exception, SystemExit, KeyboardInterrupt) as exc:
        return {"kind": "raised", "text": type(exc).__name__ + ": " + str(exc)}
    parts = qualname.split(".")
    found, parent, missing = walk(obj, module_name, parts)
    if missing is not None:
        return {"kind": "attribute", "text": missing}
    if not callable(found):
        return {"kind": "not_callable", "text": target + " is not callable"}
    if is_instance_method(parent, parts[-1]):
        needs = constructor_problem(target, parent)
        if needs is not None:
            return {"kind": "constructor", "text": needs}
    elif needs_instance:
        return {"kind": NO_INSTANCE, "text": target}
    return None


def _report(problems: list[dict[str, str]]) -> None:
    stream = sys.__stdout__  # the real stdout, even if the module replaced sys.stdout
    if stream is not None:
        stream.write("\n" + MARK + json.dumps(problems) + "\n")
        stream.flush()
    # Skip interpreter shutdown: threads or atexit hooks the module started must not hold
    # the check up (or send anything).
    os._exit(0)


def main(argv: list[str]) -> None:
    """Check ``argv``'s target and ``{parameter: "module:function"}`` providers (and,
    given ``instance``, that the target is a ``Class.method``)."""
    target, folder, providers = argv[0], argv[1], json.loads(argv[2])
    needs_instance = argv[3:] == ["instance"]
    sys.path[0] = folder  # not this script's folder: its modules are not the user's
    problems: list[dict[str, str]] = []
    try:
        found = _target_problem(target, needs_instance)
        if found is not None:
            problems.append(dict(found, key=TARGET_KEY))
        for name, spec in providers.items():
            _, why = resolve_provider(spec)
            if why is not None:
                key = PROVIDERS_KEY + "." + name
                problems.append({"key": key, "kind": "provider", "text": why})
    except BaseException as exc:  # an attribute lookup of the user's code raised
        text = type(exc).__name__ + ": " + str(exc)
        problems.append({"key": TARGET_KEY, "kind": "raised", "text": text})
    _report(problems)


if __name__ == "__main__":
    main(sys.argv[1:])
