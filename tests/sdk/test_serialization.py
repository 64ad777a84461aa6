"""to_jsonable's markers for what JSON text cannot hold: lone surrogates, and (on request)
nesting deeper than a reader accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fluxloop.serialization import to_jsonable


def nested(depth: int) -> Any:
    value: Any = 0
    for level in range(depth):
        value = {"k": value} if level % 2 else [value]
    return value


def depth_of(value: Any) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            stack.extend(
                (c, level + 1) for c in (item.values() if isinstance(item, dict) else item)
            )
    return deepest


@pytest.mark.parametrize("limit", [1, 2, 5, 128])
@pytest.mark.parametrize("depth", [1, 5, 129, 1000, 10_000])
def test_max_depth_cuts_exactly_there_with_a_marker(limit: int, depth: int) -> None:
    result = to_jsonable(nested(depth), max_depth=limit)

    assert depth_of(result) == min(depth, limit)
    marker = f"<too deep: nested more than {limit} levels>"
    assert (marker in json.dumps(result)) == (depth > limit)


def test_without_max_depth_nothing_is_cut() -> None:
    assert depth_of(to_jsonable(nested(10_000))) == 10_000


@pytest.mark.parametrize("text", ["\udcff", "a\ud800b", "\udc80é€", "ok\ud83d"])
def test_lone_surrogates_become_an_escaped_marker(text: str) -> None:
    escaped = text.encode("utf-8", "backslashreplace").decode("utf-8")
    marker = f"<lone surrogates escaped: {escaped}>"

    result = to_jsonable({text: [text, {"in": text}]}, redact_keys=())

    assert result == {marker: [marker, {"in": marker}]}
    json.dumps(result, ensure_ascii=False).encode("utf-8")  # encodable now


@pytest.mark.parametrize("text", ["plain", "é€😀 valid", ""])
def test_valid_text_is_kept(text: str) -> None:
    assert to_jsonable({text: text}) == {text: text}
