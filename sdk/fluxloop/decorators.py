"""``@agent``, ``@trace``, ``@tool``, ``@prompt`` and ``instrument``.

A decorated function keeps its name, docstring and signature, returns exactly what it
returned before, and re-raises exactly what it raised (after recording it on its span).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Generator
from types import TracebackType
from typing import Any, TypeVar, cast

from fluxloop import config as _config
from fluxloop.spans import Span

F = TypeVar("F", bound=Callable[..., Any])


def _enabled() -> bool:
    current = _config._current
    return (current if current is not None else _config.get_config()).enabled


def _wrap(func: F, name: str | None, kind: str, metadata: dict[str, Any] | None) -> F:
    span_name = name or func.__qualname__

    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        async def async_gen_wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            if not _enabled():
                async for item in func(*args, **kwargs):
                    yield item
                return
            span = Span(span_name, kind, metadata, args, kwargs, activate=False)
            count = 0
            try:
                async for item in func(*args, **kwargs):
                    count += 1
                    yield item
            except GeneratorExit:
                span.finish(output=f"<async generator closed after {count} items>")
                raise
            except BaseException as exc:
                span.finish(error=exc)
                raise
            span.finish(output=f"<async generator: {count} items>")

        return cast(F, async_gen_wrapper)

    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            if not _enabled():
                return (yield from func(*args, **kwargs))
            span = Span(span_name, kind, metadata, args, kwargs, activate=False)
            try:
                # yield from keeps send(), throw() and the return value working.
                result = yield from func(*args, **kwargs)
            except GeneratorExit:
                span.finish(output="<generator closed>")
                raise
            except BaseException as exc:
                span.finish(error=exc)
                raise
            span.finish(output=result)
            return result

        return cast(F, gen_wrapper)

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _enabled():
                return await func(*args, **kwargs)
            span = Span(span_name, kind, metadata, args, kwargs)
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                span.finish(error=exc)
                raise
            span.finish(output=result)
            return result

        return cast(F, async_wrapper)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _enabled():
            return func(*args, **kwargs)
        span = Span(span_name, kind, metadata, args, kwargs)
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            span.finish(error=exc)
            raise
        span.finish(output=result)
        return result

    return cast(F, wrapper)


def _decorator(kind: str) -> Callable[..., Callable[[F], F]]:
    def factory(
        name: str | None = None, metadata: dict[str, Any] | None = None
    ) -> Callable[[F], F]:
        def decorate(func: F) -> F:
            return _wrap(func, name, kind, metadata)

        return decorate

    factory.__name__ = kind
    factory.__doc__ = (
        f"Trace every call of the decorated function as a {kind!r} span.\n\n"
        "Works on sync and async functions, methods, generators and async generators; "
        "``name`` defaults to the function's qualified name."
    )
    return factory


agent = _decorator("agent")
trace = _decorator("trace")
tool = _decorator("tool")
prompt = _decorator("prompt")


class instrument:
    """Open a span explicitly: ``with instrument("step"):`` or ``async with ...``."""

    def __init__(self, name: str, metadata: dict[str, Any] | None = None) -> None:
        self.name = name
        self.metadata = metadata
        self._span: Span | None = None

    def __enter__(self) -> instrument:
        if _enabled():
            self._span = Span(self.name, "instrument", self.metadata, (), {})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._span is not None:
            self._span.finish(error=exc)
            self._span = None

    async def __aenter__(self) -> instrument:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)
