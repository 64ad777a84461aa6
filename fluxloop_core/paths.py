"""Dot paths into nested kwargs: ``data.content``, ``messages.0.text``.

Replay writes each run's input at ``replay_args.override_param_path`` and generation reads
the base text from the same place, so both go through these two functions. A segment made
of digits indexes a list; anything else is a mapping key.
"""

from __future__ import annotations

from collections.abc import MutableMapping, MutableSequence
from typing import Any


class PathNotFound(LookupError):
    """A dot path does not lead anywhere in a value; says where it stopped and what exists."""

    def __init__(self, path: str, reached: str, available: list[str]) -> None:
        self.path = path
        self.reached = reached
        self.available = available
        where = f"'{reached}'" if reached else "the top level"
        if available:
            listing = ", ".join(available[:20]) + (" …" if len(available) > 20 else "")
            what = f"keys at {where}: {listing}"
        else:
            what = f"{where} holds no keys"
        super().__init__(f"path '{path}' not found; {what}")


def split_path(path: str) -> list[str]:
    """The segments of a dot path; an empty segment (``a..b``) is an error."""
    segments = path.split(".")
    if not path or any(not segment for segment in segments):
        raise ValueError(f"'{path}' is not a dot path (expected something like data.content)")
    return segments


def _child_names(value: Any) -> list[str]:
    if isinstance(value, MutableMapping):
        return [str(key) for key in value]
    if isinstance(value, MutableSequence):
        return [str(index) for index in range(len(value))]
    return []


def _step(value: Any, segment: str, path: str, reached: list[str]) -> Any:
    if isinstance(value, MutableMapping) and segment in value:
        return value[segment]
    if isinstance(value, MutableSequence) and segment.isdigit() and int(segment) < len(value):
        return value[int(segment)]
    raise PathNotFound(path, ".".join(reached), _child_names(value))


def get_path(value: Any, path: str) -> Any:
    """The value at ``path`` inside ``value``; :class:`PathNotFound` when it is not there."""
    reached: list[str] = []
    for segment in split_path(path):
        value = _step(value, segment, path, reached)
        reached.append(segment)
    return value


def set_path(value: Any, path: str, new: Any) -> None:
    """Write ``new`` at ``path`` inside ``value`` in place.

    Every segment but the last must exist; the last may add a new key to a mapping (a
    recorded call can lack an optional field) but never grows a list.
    """
    *parents, last = split_path(path)
    reached: list[str] = []
    for segment in parents:
        value = _step(value, segment, path, reached)
        reached.append(segment)
    if isinstance(value, MutableMapping):
        value[last] = new
        return
    if isinstance(value, MutableSequence) and last.isdigit() and int(last) < len(value):
        value[int(last)] = new
        return
    raise PathNotFound(path, ".".join(reached), _child_names(value))
