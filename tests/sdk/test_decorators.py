"""Decorators keep the function's face and behaviour and build a trace tree."""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import threading
from collections.abc import AsyncIterator, Generator, Iterator
from typing import Any

import fluxloop
import pytest


def test_signature_name_docstring_and_value_kept() -> None:
    def plain(input_text: str, *, n: int = 1) -> str:
        """Doc."""
        return input_text * n

    for decorator in (fluxloop.agent, fluxloop.trace, fluxloop.tool, fluxloop.prompt):
        wrapped = decorator()(plain)
        assert wrapped.__name__ == "plain" and wrapped.__doc__ == "Doc."
        assert inspect.signature(wrapped) == inspect.signature(plain)
        assert wrapped("ab", n=2) == "abab"


def test_exceptions_reraised_unchanged_and_recorded() -> None:
    error = KeyError("boom")

    @fluxloop.tool(name="lookup", metadata={"v": 1})
    def fails() -> None:
        raise error

    with fluxloop.capture_spans() as spans, pytest.raises(KeyError) as info:
        fails()
    assert info.value is error
    (span,) = spans
    assert (span["name"], span["kind"], span["status"]) == ("lookup", "tool", "error")
    assert span["error"]["type"] == "KeyError" and span["metadata"] == {"v": 1}


def test_methods_generators_and_async_generators() -> None:
    class Agent:
        @fluxloop.agent()
        def answer(self, text: str) -> str:
            return text.upper()

        @fluxloop.trace()
        def words(self, text: str) -> Iterator[str]:
            yield from text.split()

        @fluxloop.trace()
        async def chunks(self, text: str) -> AsyncIterator[str]:
            for part in text.split():
                yield part

    agent = Agent()

    async def collect() -> list[str]:
        return [part async for part in agent.chunks("c d")]

    with fluxloop.capture_spans() as spans:
        assert agent.answer("x") == "X"
        assert list(agent.words("a b")) == ["a", "b"]
        assert asyncio.run(collect()) == ["c", "d"]
    assert [s["name"].rsplit(".", 2)[-2:] for s in spans] == [
        ["Agent", "answer"],
        ["Agent", "words"],
        ["Agent", "chunks"],
    ]
    assert spans[2]["output"] == "<async generator: 2 items>"
    assert inspect.isasyncgenfunction(Agent.chunks) and inspect.isgeneratorfunction(Agent.words)


def test_tree_is_correct_under_asyncio_concurrency() -> None:
    @fluxloop.tool()
    async def step(name: str) -> str:
        await asyncio.sleep(0.001)
        return name

    @fluxloop.agent()
    async def handle(name: str) -> list[str]:
        return [await step(f"{name}-1"), await step(f"{name}-2")]

    async def main() -> None:
        await asyncio.gather(*(handle(f"r{i}") for i in range(20)))

    with fluxloop.capture_spans() as spans:
        asyncio.run(main())
    roots = {s["span_id"]: s for s in spans if s["parent_id"] is None}
    assert len(roots) == 20
    for span in spans:
        if span["parent_id"] is not None:
            root = roots[span["parent_id"]]
            assert span["inputs"]["args"][0].startswith(root["inputs"]["args"][0] + "-")
            assert span["trace_id"] == root["trace_id"]


def test_threads_nest_through_copied_context() -> None:
    @fluxloop.tool()
    def inner() -> int:
        return 1

    results: list[Any] = []

    with fluxloop.capture_spans() as spans, fluxloop.instrument("outer"):
        context = contextvars.copy_context()
        thread = threading.Thread(target=lambda: results.append(context.run(inner)))
        thread.start()
        thread.join()
    inner_span, outer_span = spans
    assert inner_span["parent_id"] == outer_span["span_id"] and results == [1]


def test_instrument_async_and_disabled() -> None:
    async def main() -> None:
        async with fluxloop.instrument("block", metadata={"k": "v"}):
            await asyncio.sleep(0)

    with fluxloop.capture_spans() as spans:
        asyncio.run(main())
        fluxloop.configure(enabled=False)
        fluxloop.agent()(lambda: 1)()
    assert [s["name"] for s in spans] == ["block"]


def test_generator_send_and_return_value_pass_through() -> None:
    @fluxloop.trace()
    def echo() -> Generator[int, int, str]:
        received = yield 0
        yield received * 2
        return "done"

    with fluxloop.capture_spans() as spans:
        gen = echo()
        assert next(gen) == 0
        assert gen.send(21) == 42
        with pytest.raises(StopIteration) as stop:
            next(gen)
    assert stop.value.value == "done" and spans[0]["output"] == "done"
