"""SDK overhead: a bare call beside a decorated call outside and inside a trace, and an
LLM call's ``@prompt`` whose answer carries token usage (read on every call).

Bar (DESIGN.md): a decorated call inside a trace costs at most 5 µs more than the bare
call, with the collector disabled — the ``@prompt`` with usage included. Run:
``python benchmarks/sdk_overhead.py``.
"""

from __future__ import annotations

import timeit
from collections.abc import Callable

import fluxloop

CALLS = 100_000
REPEATS = 7


def bare(text: str) -> str:
    return text


decorated = fluxloop.tool()(bare)
ANSWER = {
    "text": "hi",
    "model": "gpt-4o-mini",
    "usage": {"prompt_tokens": 9, "completion_tokens": 2},
}


def bare_llm(text: str) -> dict[str, object]:
    return ANSWER


prompt = fluxloop.prompt(model="gpt-4o-mini")(bare_llm)


def inside_trace(call: Callable[[], object]) -> float:
    with fluxloop.instrument("benchmark"):
        return per_call(call)


def per_call(call: Callable[[], object]) -> float:
    timer = timeit.Timer(call)
    return min(timer.repeat(repeat=REPEATS, number=CALLS)) / CALLS * 1e6


def main() -> None:
    fluxloop.configure(use_collector=False)
    figures = {
        "bare call": per_call(lambda: bare("x")),
        "decorated, outside a trace": per_call(lambda: decorated("x")),
        "decorated, inside a trace": inside_trace(lambda: decorated("x")),
        "@prompt with usage, in a trace": inside_trace(lambda: prompt("x")),
    }
    base = figures["bare call"]
    print(f"{'':32} {'µs/call':>9} {'over bare':>10} {'ratio':>7}")
    for name, micros in figures.items():
        print(f"{name:32} {micros:9.3f} {micros - base:10.3f} {micros / base:7.1f}x")
    for name in ("decorated, inside a trace", "@prompt with usage, in a trace"):
        over = figures[name] - base
        verdict = "PASS" if over <= 5.0 else "FAIL"
        print(f"bar: {name} ≤ 5 µs over bare → {over:.3f} µs  {verdict}")


if __name__ == "__main__":
    main()
