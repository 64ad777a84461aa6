"""Data on screen is shown as typed: an agent's output such as ``[/tmp/out]`` is text,
never Rich markup (which would be eaten, or fail to parse and stop the app)."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text


def cells(values: Iterable[str]) -> list[Text]:
    """A DataTable row whose cells are plain text."""
    return [Text(value) for value in values]
