"""Comparing two experiments: marks on the experiments table, the per-input comparison,
and one input's outputs side by side — the TUI's skin over :mod:`fluxloop_core.compare`.

On the experiments screen, space marks up to two experiments (a third mark replaces the
oldest) and `c` compares them: the lower (older) row is the base.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fluxloop_core.compare.analysis import Comparison, InputChange, compare_experiments
from fluxloop_core.compare.diff import Piece, side_by_side
from fluxloop_core.compare.tallies import outputs_of
from fluxloop_core.compare.text import change_text, fraction, input_label, p_text, verdict_line
from fluxloop_core.errors import UserError
from fluxloop_core.redaction import redact
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.widgets.table import Cell, Table

MARK = "● "
COMPARE_COLUMNS = ("input", "before", "after", "change", "p(worse)", "state")
STATE_STYLES = {"regressed": "bold red", "improved": "green", "new": "cyan", "gone": "dim"}
MARK_BINDINGS: list[BindingType] = [
    Binding("space", "mark", "Mark"),
    Binding("c", "compare", "Compare marked"),
]
"""The experiments screen's keys for comparing (declared in its BINDINGS)."""


class MarkingScreen(Screen[None]):
    """A screen whose Table lists experiments by folder path (the row keys) and lets two
    be marked and compared."""

    def __init__(self) -> None:
        super().__init__()
        self.marked: list[str] = []

    def _marked_table(self) -> Table:
        return self.query_one(Table)

    def action_mark(self) -> None:
        """Mark or unmark the experiment under the cursor (at most two stay marked)."""
        table = self._marked_table()
        if not table.row_count:
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        if key is None:
            return
        if key in self.marked:
            self.marked.remove(key)
        else:
            self.marked = [*self.marked[-1:], key]
        self.draw_marks()

    def draw_marks(self) -> None:
        """Show the marks in the first column (after a reload: forget vanished rows)."""
        table = self._marked_table()
        keys = [row.key.value for row in table.ordered_rows]
        self.marked = [key for key in self.marked if key in keys]
        for index, key in enumerate(keys):
            if key is None:
                continue
            name = Path(key).name
            shown = Text(MARK + name, style="bold reverse") if key in self.marked else name
            table.update_cell_at(Coordinate(index, 0), Cell(shown, first=True), update_width=True)

    def action_compare(self) -> None:
        """Open the comparison of the two marked experiments (the older one is the base)."""
        if len(self.marked) != 2:
            self.notify("Mark two experiments with space, then press c.", severity="warning")
            return
        rows = [row.key.value for row in self._marked_table().ordered_rows]
        # Newest first: the lower row is the older experiment, the base.
        candidate, base = sorted(self.marked, key=rows.index)
        self.app.push_screen(CompareScreen(Path(base), Path(candidate)))


class CompareScreen(Screen[None]):
    """Per input: k/n before and after, the change and its adjusted p, regressions first;
    Enter shows the input's outputs side by side."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, base: Path, candidate: Path) -> None:
        super().__init__()
        self.base = base
        self.candidate = candidate
        self.comparison: Comparison | None = None

    def compose(self) -> ComposeResult:
        context = fluxloop_app(self)
        yield Header()
        yield Static(
            f"{context.relative(self.base)} → {context.relative(self.candidate)}",
            classes="title",
            id="compare-heading",
            markup=False,
        )
        yield Table(id="compare")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Table).set_columns(COMPARE_COLUMNS)
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        try:
            comparison = compare_experiments(self.base, self.candidate)
        except UserError as error:
            self.app.call_from_thread(self.notify, error.render(), severity="error")
            return
        self.app.call_from_thread(self.show, comparison)

    def show(self, comparison: Comparison) -> None:
        """Fill the table and the verdict line."""
        self.comparison = comparison
        table = self.query_one(Table)
        table.clear()
        for index, item in enumerate(comparison.inputs):
            table.add_values(
                [
                    input_label(item, 50),
                    fraction(item.before),
                    fraction(item.after),
                    change_text(item),
                    p_text(item.p_worse),
                    Text(item.state, style=STATE_STYLES.get(item.state, "")),
                ],
                key=str(index),
            )
        context = fluxloop_app(self)
        self.query_one("#compare-heading", Static).update(
            f"{context.relative(self.base)} → {context.relative(self.candidate)}\n"
            + verdict_line(comparison)
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if self.comparison is None or event.row_key.value is None:
            return
        item = self.comparison.inputs[int(event.row_key.value)]
        self.app.push_screen(OutputsScreen(self.base, self.candidate, item))


def styled(pieces: list[Piece], style: str) -> Text:
    """The pieces of one side as text, the changed ones in ``style``."""
    text = Text()
    for piece in pieces:
        text.append(piece.text, style=style if piece.changed else "")
    return text


class OutputsScreen(Screen[None]):
    """One input's outputs, base on the left and candidate on the right, iteration by
    iteration; words only one side has are highlighted (removed red, added green)."""

    CSS_PATH = "compare.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, base: Path, candidate: Path, item: InputChange) -> None:
        super().__init__()
        self.base = base
        self.candidate = candidate
        self.item = item
        self.texts: tuple[Text, Text] | None = None
        """(left, right) as drawn, once loaded."""

    def compose(self) -> ComposeResult:
        item = self.item
        yield Header()
        yield Static(
            redact(
                f"{input_label(item, 200)}  {fraction(item.before)} → {fraction(item.after)}  "
                f"{item.state}"
            ),
            classes="title",
            markup=False,
        )
        with Horizontal(id="outputs"):
            with VerticalScroll(id="before"):
                yield Static(f"before: {self.base.name}", classes="side-title", markup=False)
                yield Static("", id="before-text", markup=False)
            with VerticalScroll(id="after"):
                yield Static(f"after: {self.candidate.name}", classes="side-title", markup=False)
                yield Static("", id="after-text", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        key = self.item.key
        before = outputs_of(self.base, key) if self.item.before else []
        after = outputs_of(self.candidate, key) if self.item.after else []
        self.app.call_from_thread(self.show, before, after)

    def show(self, before: list[tuple[int, str]], after: list[tuple[int, str]]) -> None:
        """Pair the iterations by position and draw each pair's differences."""
        left, right = Text(), Text()
        for index in range(max(len(before), len(after))):
            old = before[index] if index < len(before) else None
            new = after[index] if index < len(after) else None
            old_pieces, new_pieces = side_by_side(
                redact(old[1]) if old else "", redact(new[1]) if new else ""
            )
            for side, run, pieces, style in (
                (left, old, old_pieces, "bold red"),
                (right, new, new_pieces, "bold green"),
            ):
                side.append(f"iteration {run[0]}\n" if run else "(no run)\n", style="dim")
                side.append_text(styled(pieces, style))
                side.append("\n\n")
        self.texts = (left, right)
        self.query_one("#before-text", Static).update(left)
        self.query_one("#after-text", Static).update(right)
