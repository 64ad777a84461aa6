"""The recording's call list: rows of a JSONL file of any size, rendered only when visible.

Line offsets come from a :class:`~fluxloop_core.recording.LineIndex` (built in the
background by the screen); the list reads and parses only the lines on screen (toolong's
idea), with a small cache. Its styles are in app.tcss.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from time import perf_counter
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fluxloop_core.recording import LineIndex, RecordingProblem
from fluxloop_core.recording_browse import Item, read_item

COLUMNS = f"{'line':>7}  {'iter':>4}  {'timestamp':<19}  target"


class CallList(ScrollView, can_focus=True):
    """Rows of a recording, rendered only when visible (Line API); Enter opens the kwargs."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Kwargs", show=False),
    ]
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "call-list--cursor",
        "call-list--problem",
        "call-list--dim",
    }

    cursor: reactive[int] = reactive(0, always_update=True)

    class Highlighted(Message):
        """The cursor is on another line (``line`` is 0-based; None when the list is empty)."""

        def __init__(self, line: int | None, item: Item) -> None:
            super().__init__()
            self.line = line
            self.item = item

    class Selected(Message):
        """Enter on a row."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.index: LineIndex | None = None
        self.rows: Sequence[int] | None = None  # matching lines (0-based); None: every line
        self._items: LRUCache[int, Item] = LRUCache(2048)
        self.first_paint: float | None = None  # perf_counter() of the first row drawn

    # -- data -------------------------------------------------------------------------
    @property
    def row_count(self) -> int:
        if self.rows is not None:
            return len(self.rows)
        return len(self.index) if self.index is not None else 0

    def line_at(self, row: int) -> int:
        """The (0-based) file line shown on ``row``."""
        return self.rows[row] if self.rows is not None else row

    def row_of(self, line: int) -> int:
        """The row showing ``line``, or the first one after it (rows are in file order)."""
        if self.rows is None:
            return line
        return bisect_left(self.rows, line)

    def item(self, line: int) -> Item:
        """Line ``line`` parsed (cached)."""
        cached = self._items.get(line)
        if cached is not None or line in self._items:
            return cached
        assert self.index is not None
        if line >= len(self.index):  # found by the filter, not indexed yet
            return None
        item = read_item(self.index.read_line(line), line + 1)
        self._items[line] = item
        return item

    def _prefetch(self, first_row: int, count: int) -> None:
        """Parse the visible lines not cached yet; consecutive lines in one read."""
        if self.index is None or count <= 0:
            return
        last_row = min(first_row + count, self.row_count)
        if self.rows is None and first_row < last_row:
            missing = [r for r in range(first_row, last_row) if r not in self._items]
            if missing:
                start = missing[0]
                for offset, raw in enumerate(self.index.read_lines(start, missing[-1] - start + 1)):
                    line = start + offset
                    if line not in self._items:
                        self._items[line] = read_item(raw, line + 1)

    def show(self, index: LineIndex, rows: Sequence[int] | None, *, keep_line: bool = True) -> None:
        """Show ``rows`` of ``index`` (None: every line), keeping the cursor's line if shown."""
        line = self.current_line() if keep_line else None
        self.index = index
        self.rows = rows
        self.grow()
        self.cursor = self.row_of(line) if line is not None else 0

    def grow(self) -> None:
        """The index or the rows have more lines: resize the scroll area and repaint."""
        self.virtual_size = Size(0, self.row_count)
        self.refresh()

    def current_line(self) -> int | None:
        if not 0 <= self.cursor < self.row_count:
            return None
        return self.line_at(self.cursor)

    # -- cursor -----------------------------------------------------------------------
    def validate_cursor(self, cursor: int) -> int:
        return max(0, min(cursor, self.row_count - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        if new < self.scroll_y:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= self.scroll_y + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        self.refresh()
        line = self.current_line()
        self.post_message(self.Highlighted(line, self.item(line) if line is not None else None))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        height = max(1, self.scrollable_content_region.height)
        self.scroll_to(y=self.scroll_y + direction * height, animate=False, immediate=True)
        self.cursor += direction * height

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = self.row_count - 1

    def action_select(self) -> None:
        self.post_message(self.Selected())

    def on_click(self, event: events.Click) -> None:
        self.cursor = int(self.scroll_y) + event.y

    # -- rendering --------------------------------------------------------------------
    def render_lines(self, crop: Region) -> list[Strip]:
        self._prefetch(int(self.scroll_y) + crop.y, crop.height)
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        row = int(self.scroll_y) + y
        if row >= self.row_count or self.index is None:
            return Strip.blank(width, self.rich_style)
        if self.first_paint is None:
            self.first_paint = perf_counter()
        text = self.row_text(self.line_at(row))
        text.truncate(width, overflow="ellipsis", pad=True)
        if row == self.cursor:
            text.stylize(self.get_component_rich_style("call-list--cursor"))
        text.stylize_before(self.rich_style)
        strip = Strip(list(text.render(self.app.console)), text.cell_len)
        return strip.crop_extend(0, width, self.rich_style)

    def row_text(self, line: int) -> Text:
        """One row: line number, iteration, timestamp and target; or the problem."""
        item = self.item(line)
        number = f"{line + 1:>7}  "
        if self.index is not None and line >= len(self.index):
            return Text(number + "(indexing…)", style=self._style("call-list--dim"))
        if item is None:
            return Text(number + "(blank line)", style=self._style("call-list--dim"))
        if isinstance(item, RecordingProblem):
            return Text(
                number + f"invalid: {item.message}", style=self._style("call-list--problem")
            )
        stamp = item.timestamp.replace("T", " ")[:19]
        return Text(f"{number}{item.iteration:>4}  {stamp:<19}  {item.target}")

    def _style(self, component: str) -> Style:
        return self.get_component_rich_style(component, partial=True)
