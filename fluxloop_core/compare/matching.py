"""Which input of one experiment is which input of the other.

Inputs are the same when their text is the same and, when both carry a ``metadata.id``,
their ids are too: two inputs with one text but different ids are different inputs, and an
input that gained or lost an id still matches its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar


@dataclass(frozen=True, order=True)
class InputKey:
    """An input's identity: its text and its ``metadata.id`` (as text) when it has one."""

    text: str
    id: str | None = None


def input_key(text: str, metadata: Mapping[str, Any] | None) -> InputKey:
    """The key of an input with ``metadata``; an id that is not a string or a number is
    ignored (it cannot be compared safely)."""
    raw = metadata.get("id") if isinstance(metadata, Mapping) else None
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        return InputKey(text)
    return InputKey(text, str(raw))


T = TypeVar("T")


@dataclass
class Matched(Generic[T]):
    """The two sides paired: ``pairs`` (base, candidate), and what only one side has."""

    pairs: list[tuple[T, T]]
    only_base: list[T]
    only_candidate: list[T]


def match_inputs(base: Mapping[InputKey, T], candidate: Mapping[InputKey, T]) -> Matched[T]:
    """Pair the inputs of two experiments: same text and id first; then an input with an id
    on one side and none on the other, by text alone, when that pairing is unambiguous."""
    pairs: list[tuple[T, T]] = []
    left = {key: value for key, value in base.items() if key not in candidate}
    right: dict[InputKey, T] = {}
    for key, value in candidate.items():
        if key in base:
            pairs.append((base[key], value))
        else:
            right[key] = value
    by_text: dict[str, list[InputKey]] = {}
    for key in left:
        by_text.setdefault(key.text, []).append(key)
    for key in list(right):
        options = by_text.get(key.text, [])
        if len(options) != 1 or (key.id is not None and options[0].id is not None):
            continue
        other = options.pop()
        pairs.append((left.pop(other), right.pop(key)))
    return Matched(pairs, list(left.values()), list(right.values()))
