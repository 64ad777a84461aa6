"""Callables handed to a replayed agent in place of recorded callbacks.

``builtin:collector.send`` and ``builtin:collector.error`` record each call's arguments
into the run's trace and return an object that may be awaited or ignored: agents written
against an async WebSocket send ``await`` it, sync agents just call it, and neither gets a
"coroutine was never awaited" warning. ``module:function`` names a function that is passed
as the callable itself; its calls are recorded the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fluxloop_core.errors import ConfigError
from fluxloop_core.preflight.providers import CAPTURE, PROVIDER_HINT, custom_providers
from fluxloop_core.results.models import CallbackCall
from fluxloop_core.runner.executor import RunJob
from fluxloop_core.runner.sdk import MARKER_ATTR, to_jsonable
from fluxloop_core.target_probe import PROVIDERS_KEY, resolve_provider


class Completed:
    """The result of a builtin callback: already done, awaitable, harmless if ignored.

    Unlike a coroutine it has no frame to finalize, so dropping it warns about nothing.
    """

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return None
        yield  # makes this a generator function: awaiting it finishes at once

    def __repr__(self) -> str:
        return "<completed>"


_COMPLETED = Completed()


@dataclass
class CallLog:
    """The callback calls of one run (one log per run, so no lock is needed)."""

    calls: list[CallbackCall] = field(default_factory=list)

    def add(self, parameter: str, provider: str, args: tuple[Any, ...], kwargs: Any) -> None:
        """Record one call; arguments are serialized now, before the agent can mutate them."""
        self.calls.append(
            CallbackCall(
                parameter=parameter,
                provider=provider,
                args=to_jsonable(list(args)),
                kwargs=to_jsonable(dict(kwargs)),
                timestamp=datetime.now(UTC).isoformat(),
            )
        )


class _Recorder:
    """A builtin provider bound to one parameter of one run."""

    def __init__(self, log: CallLog, parameter: str, provider: str) -> None:
        self._log = log
        self._parameter = parameter
        self._provider = provider
        # The SDK re-records this marker if the agent records its own arguments again.
        setattr(self, MARKER_ATTR, f"<{provider}>")

    def __call__(self, *args: Any, **kwargs: Any) -> Completed:
        self._log.add(self._parameter, self._provider, args, kwargs)
        return _COMPLETED


class _Wrapped:
    """A custom provider function, recorded and then called."""

    def __init__(
        self, log: CallLog, parameter: str, provider: str, function: Callable[..., Any]
    ) -> None:
        self._log = log
        self._parameter = parameter
        self._provider = provider
        self._function = function
        setattr(self, MARKER_ATTR, f"<callable:{getattr(function, '__name__', parameter)}>")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self._log.add(self._parameter, self._provider, args, kwargs)
        return self._function(*args, **kwargs)


@dataclass(frozen=True)
class Providers:
    """Validated ``callable_providers``: parameter -> provider string, custom ones imported."""

    specs: dict[str, str]
    functions: dict[str, Callable[..., Any]]

    def bind(self, parameters: list[str], log: CallLog) -> dict[str, Any]:
        """One run's callables for the recorded callable ``parameters``."""
        bound: dict[str, Any] = {}
        for name in parameters:
            spec = self.specs[name]
            function = self.functions.get(name)
            if function is None:
                bound[name] = _Recorder(log, name, spec)
            else:
                bound[name] = _Wrapped(log, name, spec, function)
        return bound


def load_providers(specs: dict[str, str], *, import_custom: bool = True) -> Providers:
    """Import the ``module:function`` providers (sys.path is set up; preflight checked
    every spec's shape). With ``import_custom`` false (the agent runs in another
    interpreter) nothing is imported here; the worker imports them."""
    functions: dict[str, Callable[..., Any]] = {}
    for name, spec in custom_providers(specs).items() if import_custom else ():
        function, why = resolve_provider(spec)
        if why is not None:
            raise ConfigError(why, key=f"{PROVIDERS_KEY}.{name}", hint=PROVIDER_HINT)
        functions[name] = function
    return Providers(specs=dict(specs), functions=functions)


def captured(job: RunJob, output: Any) -> list[CallbackCall]:
    """The calls of the callables of a run replayed by an agent that is not imported (each
    mapped to ``capture``): one each, the agent's answer as its argument."""
    when = datetime.now(UTC).isoformat()
    return [
        CallbackCall(
            parameter=name, provider=CAPTURE, args=[to_jsonable(output)], kwargs={}, timestamp=when
        )
        for name in job.callables
    ]
