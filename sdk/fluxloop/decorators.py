"""``@agent``, ``@trace``, ``@tool`` and ``@prompt``, with the released 0.1.x keywords.

A decorated function keeps its name, docstring and signature, returns exactly what it
returned before, and re-raises exactly what it raised (after recording it on its span).
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Callable, Generator
from typing import Any, TypeVar, cast

from fluxloop import config as _config
from fluxloop.config import ConfigurationError
from fluxloop.models import ObservationType
from fluxloop.spans import Span
from fluxloop.usage import token_usage

F = TypeVar("F", bound=Callable[..., Any])


def _enabled() -> bool:
    current = _config._current
    return (current if current is not None else _config.get_config()).enabled


def _wrap(
    func: F,
    name: str | None,
    kind: str,
    metadata: dict[str, Any] | None,
    *,
    capture_input: bool = True,
    capture_output: bool = True,
    tokens: bool = False,
) -> F:
    span_name = name or func.__qualname__
    try:  # once per decorated function: the legacy collector format names the arguments
        signature: inspect.Signature | None = inspect.signature(func)
    except (TypeError, ValueError):
        signature = None

    def _shown(output: Any) -> Any:
        return output if capture_output else None

    if inspect.isasyncgenfunction(func):

        @functools.wraps(func)
        async def async_gen_wrapper(*args: Any, **kwargs: Any) -> AsyncIterator[Any]:
            if not _enabled():
                async for item in func(*args, **kwargs):
                    yield item
                return
            span = Span(
                span_name,
                kind,
                metadata,
                args if capture_input else None,
                kwargs,
                signature,
                activate=False,
            )
            count = 0
            try:
                async for item in func(*args, **kwargs):
                    count += 1
                    yield item
            except GeneratorExit:
                span.finish(output=_shown(f"<async generator closed after {count} items>"))
                raise
            except BaseException as exc:
                span.finish(error=exc)
                raise
            span.finish(output=_shown(f"<async generator: {count} items>"))

        return cast(F, async_gen_wrapper)

    if inspect.isgeneratorfunction(func):

        @functools.wraps(func)
        def gen_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
            if not _enabled():
                return (yield from func(*args, **kwargs))
            span = Span(
                span_name,
                kind,
                metadata,
                args if capture_input else None,
                kwargs,
                signature,
                activate=False,
            )
            try:
                # yield from keeps send(), throw() and the return value working.
                result = yield from func(*args, **kwargs)
            except GeneratorExit:
                span.finish(output=_shown("<generator closed>"))
                raise
            except BaseException as exc:
                span.finish(error=exc)
                raise
            span.finish(output=_shown(result))
            return result

        return cast(F, gen_wrapper)

    if inspect.iscoroutinefunction(func):

        @functools.wraps(func)
        async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _enabled():
                return await func(*args, **kwargs)
            span = Span(
                span_name, kind, metadata, args if capture_input else None, kwargs, signature
            )
            try:
                result = await func(*args, **kwargs)
            except BaseException as exc:
                span.finish(error=exc)
                raise
            if tokens:
                span.usage = token_usage(result)
            span.finish(output=result if capture_output else None)
            return result

        return cast(F, async_wrapper)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not _enabled():
            return func(*args, **kwargs)
        span = Span(span_name, kind, metadata, args if capture_input else None, kwargs, signature)
        try:
            result = func(*args, **kwargs)
        except BaseException as exc:
            span.finish(error=exc)
            raise
        if tokens:
            span.usage = token_usage(result)
        span.finish(output=result if capture_output else None)
        return result

    return cast(F, wrapper)


def _with(metadata: dict[str, Any] | None, **extra: Any) -> dict[str, Any] | None:
    """``metadata`` plus the keyword values that are set (None when there is nothing)."""
    present = {key: value for key, value in extra.items() if value is not None}
    if not present:
        return metadata
    return {**(metadata or {}), **present}


def agent(
    name: str | None = None,
    metadata: dict[str, Any] | None = None,
    capture_input: bool = True,
    capture_output: bool = True,
) -> Callable[[F], F]:
    """Trace every call of an agent entry point as an ``"agent"`` span.

    ``capture_input``/``capture_output`` False keep the arguments/result off the span.
    Works on sync and async functions, methods, generators and async generators;
    ``name`` defaults to the function's qualified name.
    """

    def decorate(func: F) -> F:
        return _wrap(
            func,
            name,
            "agent",
            metadata,
            capture_input=capture_input,
            capture_output=capture_output,
        )

    return decorate


def trace(
    name: str | None = None,
    observation_type: ObservationType | str = ObservationType.SPAN,
    metadata: dict[str, Any] | None = None,
    capture_input: bool = True,
    capture_output: bool = True,
) -> Callable[[F], F]:
    """Trace every call of the decorated function as a ``"trace"`` span.

    ``observation_type`` (an :class:`ObservationType` or its value) other than ``span``
    becomes the span's kind (``"generation"``, ``"chain"``, ...); an unknown one raises
    :class:`fluxloop.ConfigurationError` (a ``ValueError``) listing the valid ones.
    """
    try:
        kind_type = ObservationType(observation_type)
    except (TypeError, ValueError):
        valid = ", ".join(t.value for t in ObservationType)
        raise ConfigurationError(
            f"Invalid observation_type {observation_type!r}. Expected one of: {valid}"
        ) from None
    kind = "trace" if kind_type is ObservationType.SPAN else kind_type.value

    def decorate(func: F) -> F:
        return _wrap(
            func,
            name,
            kind,
            metadata,
            capture_input=capture_input,
            capture_output=capture_output,
            tokens=kind_type is ObservationType.GENERATION,
        )

    return decorate


def tool(
    name: str | None = None,
    description: str | None = None,
    metadata: dict[str, Any] | None = None,
) -> Callable[[F], F]:
    """Trace every call of a tool as a ``"tool"`` span; ``description`` goes into its metadata."""

    def decorate(func: F) -> F:
        return _wrap(func, name, "tool", _with(metadata, description=description))

    return decorate


def prompt(
    name: str | None = None,
    model: str | None = None,
    capture_tokens: bool = True,
    metadata: dict[str, Any] | None = None,
) -> Callable[[F], F]:
    """Trace every call of an LLM call as a ``"prompt"`` span.

    ``model`` goes into the span's metadata; with ``capture_tokens`` the token counts of
    the result (an OpenAI or Anthropic response, or a dict: see :mod:`fluxloop.usage`) go
    in the span's ``usage``.
    """

    def decorate(func: F) -> F:
        return _wrap(func, name, "prompt", _with(metadata, model=model), tokens=capture_tokens)

    return decorate
