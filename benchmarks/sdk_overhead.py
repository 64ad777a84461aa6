"""SDK overhead: a bare call beside a decorated call outside and inside a trace.

Bar (DESIGN.md): a decorated call inside a trace costs at most 5 µs more than the bare
call, with the collector disabled. Run: ``python benchmarks/sdk_overhead.py``.
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


def inside_trace() -> float:
    with fluxloop.instrument("benchmark"):
        return per_call(lambda: decorated("x"))


def per_call(call: Callable[[], object]) -> float:
    timer = timeit.Timer(call)
    return min(timer.repeat(repeat=REPEATS, number=CALLS)) / CALLS * 1e6


def main() -> None:
    fluxloop.configure(use_collector=False)
    figures = {
        "bare call": per_call(lambda: bare("x")),
        "decorated, outside a trace": per_call(lambda: decorated("x")),
        "decorated, inside a trace": inside_trace(),
    }
    base = figures["bare call"]
    print(f"{'':30} {'µs/call':>9} {'over bare':>10} {'ratio':>7}")
    for name, micros in figures.items():
        print(f"{name:30} {micros:9.3f} {micros - base:10.3f} {micros / base:7.1f}x")
    over = figures["decorated, inside a trace"] - base
    verdict = "PASS" if over <= 5.0 else "FAIL"
    print(f"bar: inside a trace ≤ 5 µs over bare → {over:.3f} µs  {verdict}")


if __name__ == "__main__":
    main()
