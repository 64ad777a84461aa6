"""Data on screen is shown as typed: an agent's output such as ``[/tmp/out]`` is text,
never Rich markup (which would be eaten, or fail to parse and stop the app); and
redacted (:mod:`fluxloop_core.redaction`), as everything FluxLoop shows."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from fluxloop_core.redaction import redactor


def cells(values: Iterable[str]) -> list[Text]:
    """A DataTable row whose cells are plain, redacted text."""
    hide = redactor().text  # once per row: finding the known secrets costs more than a cell
    return [Text(hide(value)) for value in values]
