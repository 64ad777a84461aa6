"""The app's tables: plain-text values in ruled columns, statuses and verdicts in colour.

Values are shown as typed: an agent's output such as ``[/tmp/out]`` is text, never Rich
markup (which would be eaten, or fail to parse and stop the app), and redacted
(:mod:`fluxloop_core.redaction`), as everything FluxLoop shows. Columns are parted by a
rule, not by blank padding alone, so two values never read as one — not in a terminal,
not in a copied screen, not in an SVG screenshot whose blanks a viewer may trim.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.text import Text
from textual.widgets import DataTable

from fluxloop_core.redaction import redactor

RULE = " │ "
RULE_STYLE = "dim"
# Named ANSI colours: the same hues in the 16-colour theme as in the full-colour ones.
STATUS_STYLES: dict[str, str] = {
    "success": "green",
    "error": "bold red",
    "timeout": "bold yellow",
}


# A run's verdict (fluxloop_core.evaluation.view.run_outcome), an input's state and a
# gate's verdict: green is good, red failed, magenta could not be graded, yellow flaky.
VERDICT_STYLES: dict[str, str] = {
    "passed": "green",
    "failed": "bold red",
    "grading error": "bold magenta",
    "agent error": "bold red",
    "pass": "green",
    "fail": "bold red",
    "flaky": "bold yellow",
    "ungraded": "bold magenta",
    "error": "bold magenta",
    "holds": "green",
    "fails": "bold red",
}


def status_text(status: str) -> Text:
    """A run's status (success, error, timeout) in its colour."""
    return Text(status, style=STATUS_STYLES.get(status, ""))


def verdict_text(verdict: str, shown: str | None = None) -> Text:
    """A verdict, state or gate word in its colour (``shown``: other text in that colour)."""
    return Text(verdict if shown is None else shown, style=VERDICT_STYLES.get(verdict, ""))


def plain_cells(values: Iterable[str | Text]) -> list[Text]:
    """``values`` as text shown as typed, every secret hidden (a Text keeps its style)."""
    hide = redactor().text  # once per row: finding the known secrets costs more than a cell
    shown: list[Text] = []
    for value in values:
        plain = value.plain if isinstance(value, Text) else value
        hidden = hide(plain)
        if isinstance(value, Text) and hidden == plain:
            shown.append(value)
        else:
            shown.append(Text(hidden, style=value.style if isinstance(value, Text) else ""))
    return shown


def _ruled(value: Text, *, first: bool) -> Text:
    """``value`` as drawn in its column: after the rule, or after a blank in the first."""
    lead = Text(" ") if first else Text(RULE, style=RULE_STYLE)
    return Text.assemble(lead, value, end="")


class Cell:
    """One value of a row, drawn after the rule that parts it from the column on its left.

    ``str(cell)`` is the value alone, so code that reads a row sees what was put in.
    """

    __slots__ = ("_drawn", "text")

    def __init__(self, value: str | Text, *, first: bool) -> None:
        self.text = value if isinstance(value, Text) else Text(value)
        self._drawn = _ruled(self.text, first=first)

    def __str__(self) -> str:
        return self.text.plain

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self._drawn

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        # The text's own width, not clamped to the console's: the table scrolls sideways.
        return self._drawn.__rich_measure__(console, options)


class Table(DataTable[Cell]):
    """A table whose cursor moves by row; columns and rows are given as plain values."""

    def __init__(self, *, id: str) -> None:
        # The rule and its blanks are the only space between columns (see Cell); a status
        # keeps its colour on the cursor's row too.
        super().__init__(
            id=id, cursor_type="row", cell_padding=0, cursor_foreground_priority="renderable"
        )

    def set_columns(self, labels: Iterable[str]) -> None:
        """Replace the columns (and drop the rows) with ``labels``."""
        self.clear(columns=True)
        for index, label in enumerate(labels):
            self.add_column(_ruled(Text(label), first=index == 0))

    def add_values(self, values: Sequence[str | Text], key: str | None = None) -> None:
        """Add a row of ``values`` (text as typed; a Text keeps its style)."""
        cells = [Cell(text, first=index == 0) for index, text in enumerate(plain_cells(values))]
        self.add_row(*cells, key=key)
