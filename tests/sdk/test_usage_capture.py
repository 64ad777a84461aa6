"""Token usage on spans: real openai and anthropic response objects (built offline), dicts,
hostile return values, and record_usage."""

from __future__ import annotations

from typing import Any

import fluxloop
import pytest
from anthropic.types import Message, TextBlock
from anthropic.types import Usage as AnthropicUsage
from fluxloop.usage import token_usage
from openai.types import CompletionUsage
from openai.types.chat import ChatCompletion


def _openai() -> ChatCompletion:
    return ChatCompletion(
        id="c1",
        object="chat.completion",
        created=0,
        model="gpt-4o-mini",
        choices=[
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}
        ],
        usage=CompletionUsage(prompt_tokens=11, completion_tokens=5, total_tokens=16),
    )


def _anthropic() -> Message:
    return Message(
        id="m1",
        type="message",
        role="assistant",
        model="claude-3-5-haiku-latest",
        content=[TextBlock(type="text", text="hi")],
        stop_reason="end_turn",
        stop_sequence=None,
        usage=AnthropicUsage(input_tokens=12, output_tokens=7),
    )


def _counts(prompt: int, completion: int, model: str | None = None) -> dict[str, Any]:
    counts: dict[str, Any] = {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }
    return counts if model is None else {**counts, "model": model}


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (_openai, _counts(11, 5, "gpt-4o-mini")),
        (_anthropic, _counts(12, 7, "claude-3-5-haiku-latest")),
        (lambda: {"usage": {"prompt_tokens": 3, "completion_tokens": 2}}, _counts(3, 2)),
        (lambda: {"input_tokens": 4, "output_tokens": 1, "model": "m"}, _counts(4, 1, "m")),
        (lambda: {"usage": {"output_tokens": 9}}, _counts(0, 9)),
    ],
)
def test_usage_is_read_by_shape(answer: Any, expected: dict[str, Any]) -> None:
    assert token_usage(answer()) == expected


class _Hostile:
    @property
    def usage(self) -> Any:
        raise RuntimeError("boom")


@pytest.mark.parametrize(
    "answer",
    [None, "text", 5, True, [1, 2], {"usage": "lots"}, {"usage": {"prompt_tokens": -1}},
     {"usage": {"prompt_tokens": True}}, {"usage": {"prompt_tokens": 1.5}}, _Hostile()],
)  # fmt: skip
def test_no_counts_no_usage_and_never_an_error(answer: Any) -> None:
    assert token_usage(answer) is None


def test_prompt_and_generation_spans_carry_usage_but_not_others() -> None:
    @fluxloop.prompt(model="gpt-4o-mini")
    def ask_openai() -> ChatCompletion:
        return _openai()

    @fluxloop.trace(observation_type="generation")
    async def ask_anthropic() -> Message:
        return _anthropic()

    @fluxloop.tool()
    def lookup() -> dict[str, Any]:
        return {"usage": {"prompt_tokens": 1, "completion_tokens": 1}}

    import asyncio

    with fluxloop.capture_spans() as spans:
        ask_openai()
        asyncio.run(ask_anthropic())
        lookup()
    by_name = {span["name"].rsplit(".", 1)[-1]: span for span in spans}
    assert by_name["ask_openai"]["usage"]["prompt_tokens"] == 11
    assert by_name["ask_anthropic"]["usage"]["model"] == "claude-3-5-haiku-latest"
    assert "usage" not in by_name["lookup"]


def test_record_usage_is_a_generation_span_under_the_current_one() -> None:
    @fluxloop.agent()
    def agent() -> str:
        fluxloop.record_usage(model="local-llama", input_tokens=100, output_tokens=20)
        return "ok"

    with fluxloop.capture_spans() as spans:
        agent()
    recorded, parent = spans
    assert recorded["kind"] == "generation" and recorded["parent_id"] == parent["span_id"]
    assert recorded["usage"] == {
        "prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120, "model": "local-llama"
    }  # fmt: skip
    with pytest.raises(ValueError):
        fluxloop.record_usage(input_tokens=-1)


def test_record_usage_does_nothing_when_the_sdk_is_off() -> None:
    fluxloop.configure(enabled=False)
    with fluxloop.capture_spans() as spans:
        fluxloop.record_usage(model="m", input_tokens=1)
    assert spans == []
