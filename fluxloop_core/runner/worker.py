"""A run worker for ``runner.python_path``: started as a script by another interpreter.

Standard library only — the agent's interpreter may have neither pydantic nor
fluxloop_core; it uses the ``fluxloop`` SDK for spans and serialization when it can import
it. Protocol (JSON lines): argv[1] is the setup ``{"target", "providers"}``; the worker
answers ``{"ready": true}`` or ``{"fatal": text}``, then reads one request a line
``{"id", "args", "kwargs", "callables"}`` and answers each with ``{"id", "callback"}``
lines, one per callback call as it happens, then ``{"id", "ok", "output", "error",
"spans", "duration_ms"}``. A conversation's turn may name ``"instance"``: every turn of it
calls the one instance of a ``Class.method`` target, until a line ``{"end": instance}``
(not answered) frees it. The protocol owns the real stdout; the
agent's own prints go to stderr.

The runner owns the worker's life: Ctrl-C in the terminal is the runner's to handle (a
worker ignores SIGINT, so a run in flight is not recorded as a KeyboardInterrupt), and when
the runner dies — even by SIGKILL — the worker exits at once and quietly.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import functools
import importlib
import importlib.util
import inspect
import json
import os
import signal
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

_sdk: Any
try:
    _sdk = importlib.import_module("fluxloop")
except Exception:  # the agent's interpreter may not have the SDK
    _sdk = None

MARKER_ATTR = "__fluxloop_marker__"
REPLY_MAX_DEPTH = 500
"""Deepest nesting sent back: json encodes and decodes it within Python's recursion limit
(the runner's writer cuts it further, with a marker)."""
PARENT_POLL_SECONDS = 0.5


def _fallback_jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: "<repr:" + repr(v) + ">"))


def _serializer() -> Callable[[Any], Any]:
    try:
        function: Callable[..., Any] = importlib.import_module("fluxloop.serialization").to_jsonable
    except Exception:
        return _fallback_jsonable
    if "max_depth" in inspect.signature(function).parameters:
        return functools.partial(function, max_depth=REPLY_MAX_DEPTH)
    return function  # an older SDK in the agent's interpreter


to_jsonable = _serializer()


def capture_spans() -> Any:
    capture = getattr(_sdk, "capture_spans", None)
    return capture() if capture is not None else contextlib.nullcontext([])


class Completed:
    """Awaitable and harmless when ignored (see fluxloop_core.runner.providers)."""

    def __await__(self) -> Any:
        return None
        yield


class Recorder:
    """A recorded callable: each call goes to ``report`` at once, so a run killed later
    (timeout, death) still has the calls it made, as in the runner's own process."""

    def __init__(
        self,
        report: Callable[[dict[str, Any]], None],
        parameter: str,
        provider: str,
        function: Callable[..., Any] | None = None,
    ) -> None:
        self.report = report
        self.parameter = parameter
        self.provider = provider
        self.function = function
        marker = provider if function is None else "callable:" + parameter
        setattr(self, MARKER_ATTR, "<" + marker + ">")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        self.report(
            {
                "parameter": self.parameter,
                "provider": self.provider,
                "args": to_jsonable(list(args)),
                "kwargs": to_jsonable(dict(kwargs)),
                # datetime.UTC is 3.11+; the worker may run on an older Python.
                "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(),  # noqa: UP017
            }
        )
        if self.function is None:
            return Completed()
        return self.function(*args, **kwargs)


def _load_sibling(path: str, name: str) -> Any:
    """A standard-library module of fluxloop_core, loaded by its path: this script runs in
    the agent's interpreter, where fluxloop_core may not import."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.cache  # the target and each provider resolve through the one module
def _load_probe() -> Any:
    """fluxloop_core/target_probe.py, the one home of how a target resolves."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    return _load_sibling(os.path.join(package, "target_probe.py"), "_fluxloop_probe")


# How an agent's exception is written down, the same in every executor.
agent_error = _load_sibling(
    os.path.join(os.path.dirname(os.path.abspath(__file__)), "agent_error.py"), "_fluxloop_error"
)


def resolve(spec: str) -> tuple[Any, type | None, str]:
    """(function, owner class when each call needs an instance, else None, attribute)."""
    probe = _load_probe()
    module_name, _, qualname = spec.partition(":")
    parts = qualname.split(".")
    obj, parent, problem = probe.walk(importlib.import_module(module_name), module_name, parts)
    if problem is not None:
        raise AttributeError(problem)
    if probe.is_instance_method(parent, parts[-1]):
        return obj, parent, parts[-1]
    return obj, None, ""


def _exit_with(parent: int) -> None:
    """End this process once ``parent`` is gone (it is then re-parented), even mid-run."""
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(0)


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with, args=(os.getppid(),), daemon=True).start()
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # the agent's prints must not break the protocol
    sys.stdout = sys.stderr

    lock = threading.Lock()  # the agent may call a callback from its own threads

    def send(message: dict[str, Any]) -> None:
        try:
            text = json.dumps(message)
        except (RecursionError, ValueError, TypeError) as exc:
            # An SDK too old to cap depth (or none) let something through that JSON cannot
            # hold: the run is an error that says so, and the worker lives on.
            why = "unsendable result: " + agent_error.message_of(exc)
            error = {"type": type(exc).__name__, "message": why}
            text = json.dumps({"id": message.get("id"), "ok": False, "error": error})
        try:
            with lock:
                protocol.write(text + "\n")
                protocol.flush()
        except BrokenPipeError:
            os._exit(0)  # the runner is gone: nobody reads the answer, nothing to report

    setup = json.loads(sys.argv[1])
    sys.path.insert(0, os.getcwd())
    try:
        agent = Agent(setup["target"], setup["providers"])
    except BaseException as exc:
        send({"fatal": type(exc).__name__ + ": " + str(exc)})
        return
    loop = asyncio.new_event_loop()
    send({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        if "end" in request:
            agent.end(request["end"])
            continue

        def report(call: dict[str, Any], run: int = request["id"]) -> None:
            send({"id": run, "callback": call})

        send({"id": request["id"], **agent.run(request, report, loop)})


class Agent:
    """The target and its providers, resolved once; :meth:`run` calls it (this worker and
    the Ray actors of fluxloop_core.runner.ray_actor both run requests through it)."""

    def __init__(self, target: str, providers: dict[str, str]) -> None:
        self.function, self.owner, self.attribute = resolve(target)
        self.specs = providers
        self.instances: dict[str, Any] = {}
        """Each conversation's instance of a ``Class.method`` target, by its id."""
        self.providers = {
            name: resolve(spec)[0]
            for name, spec in providers.items()
            if not spec.startswith("builtin:")
        }

    def run(
        self,
        request: dict[str, Any],
        report: Callable[[dict[str, Any]], None],
        loop: asyncio.AbstractEventLoop,
    ) -> dict[str, Any]:
        """Call the agent with ``request`` (``args``, ``kwargs``, ``callables``) on
        ``loop`` when it is async; each callback call goes to ``report`` as it happens.
        The reply: ``ok``, ``output``, ``error``, ``spans``, ``duration_ms``."""
        kwargs = request["kwargs"]
        for name in request["callables"]:
            spec = self.specs[name]
            kwargs[name] = Recorder(report, name, spec, self.providers.get(name))
        reply: dict[str, Any] = {"ok": True, "output": None, "error": None}
        with capture_spans() as spans:
            started = time.perf_counter()
            try:
                value = self._target(request.get("instance"))(*request["args"], **kwargs)
                if inspect.isgenerator(value):
                    value = list(value)
                if inspect.isawaitable(value):
                    value = loop.run_until_complete(value)
                if inspect.isasyncgen(value):
                    value = loop.run_until_complete(_drain(value))
                reply["output"] = to_jsonable(value)
            except BaseException as exc:
                reply["ok"] = False
                reply["error"] = {
                    "type": type(exc).__name__,
                    "message": agent_error.message_of(exc),
                    "traceback": agent_error.traceback_of(exc),
                }
            reply["duration_ms"] = (time.perf_counter() - started) * 1000
        reply["spans"] = list(spans)
        return reply

    def _target(self, conversation: str | None) -> Any:
        """What a run calls: the function, or a method of a new instance (of the
        conversation's one instance, made at its first turn)."""
        if self.owner is None:
            return self.function
        if conversation is None:
            return getattr(self.owner(), self.attribute)
        instance = self.instances.get(conversation)
        if instance is None:
            instance = self.instances[conversation] = self.owner()
        return getattr(instance, self.attribute)

    def end(self, conversation: str) -> None:
        """Free the conversation's instance (if it has one)."""
        self.instances.pop(conversation, None)


async def _drain(generator: AsyncIterator[Any]) -> list[Any]:
    return [item async for item in generator]


if __name__ == "__main__":
    main()
