"""The recording inspector: a lazy list of the calls of a recording, and one call's kwargs.

Opens a ``recordings/*.jsonl`` of any size at once: line offsets are indexed in the
background (:class:`~fluxloop_core.recording.LineIndex`), and the list renders only the rows
on screen, reading and parsing those lines on demand (with a small cache).
"""

from __future__ import annotations

import json
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter
from typing import Any, ClassVar, cast

from rich.style import Style
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Header, Input, Static, Tree
from textual.widgets.tree import TreeNode
from textual.worker import get_current_worker

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.counts import counted
from fluxloop_core.errors import UserError
from fluxloop_core.recording import (
    LineIndex,
    RecordedCall,
    RecordingProblem,
    callable_marker,
    load_json_line,
)
from fluxloop_core.recording import parse_line as _parse_line
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.fields import whole_number

Item = RecordedCall | RecordingProblem | None  # None: a blank line
VALUE_SHOWN = 200  # characters of a long string shown in the tree
EXPANDED_DEPTH = 4  # tree levels open when a call is shown


def parse_item(raw: bytes, line_number: int) -> Item:
    """One line of a recording: a call, a problem, or None for a blank line."""
    if not raw.strip():
        return None
    return _parse_line(raw, line_number)


def default_recording(project_dir: Path, recording_file: Path | None) -> Path | None:
    """The project's replay_args.recording_file when it exists, else its first recording."""
    if recording_file is not None and recording_file.is_file():
        return recording_file
    folder = project_dir / "recordings"
    files = sorted(folder.glob("*.jsonl")) if folder.is_dir() else []
    return files[0] if files else None


def line_matches(raw: bytes, needle: str, target: str | None) -> bool:
    """Whether a raw line holds ``needle`` (any case) and, when given, is a call of ``target``."""
    if target is not None:
        if json.dumps(target).encode() not in raw:
            return False
        try:
            data = load_json_line(raw)
        except ValueError:
            return False
        if not isinstance(data, dict) or data.get("target") != target:
            return False
    if not needle:
        return True
    text = raw.decode("utf-8", "replace").lower()
    if needle in text:
        return True
    if "\\u" in text and not needle.isascii():  # escaped non-ASCII text: match it decoded
        try:
            decoded = json.dumps(load_json_line(raw), ensure_ascii=False).lower()
        except ValueError:
            return False
        return needle in decoded
    return False


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
    DEFAULT_CSS = """
    CallList {
        height: 1fr;
    }
    CallList > .call-list--cursor {
        background: $block-cursor-blurred-background;
    }
    CallList:focus > .call-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    CallList > .call-list--problem {
        color: $error;
    }
    CallList > .call-list--dim {
        color: $text-muted;
    }
    """

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
        item = parse_item(self.index.read_line(line), line + 1)
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
                        self._items[line] = parse_item(raw, line + 1)

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


class RecordingScreen(Screen[None]):
    """A recording's calls; the kwargs of the selected one; pick the override path."""

    CSS_PATH = "recording.tcss"
    AUTO_FOCUS = "#calls"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter"),
        Binding("t", "target", "This target"),
        Binding("g", "jump", "Go to line"),
        Binding("s", "override", "Set override path"),
        Binding("G", "generate", "Generate from this"),
        Binding("escape", "back_to_list", "List", show=False),
    ]

    class Indexed(Message):
        """The background indexer got further (only the latest one is handled)."""

        def __init__(self, complete: bool) -> None:
            super().__init__()
            self.complete = complete

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, RecordingScreen.Indexed)

    class Filtered(Message):
        """The filter scan finished."""

        def __init__(self, rows: Sequence[int], needle: str, target: str | None) -> None:
            super().__init__()
            self.rows = rows
            self.needle = needle
            self.target = target

    def __init__(self, path: Path | None = None) -> None:
        super().__init__()
        self.path = path
        self.index: LineIndex | None = None
        self.providers: dict[str, str] = {}
        self.needle = ""
        self.target: str | None = None
        self.filtering = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Recording", classes="title", id="rec-heading", markup=False)
        yield Input(
            placeholder="/ filter: text in the call (Esc: back to the list)",
            id="rec-filter",
            compact=True,
        )
        yield Static(COLUMNS, id="rec-columns", markup=False)
        yield CallList(id="calls")
        yield Input(placeholder="line number (Enter)", id="rec-jump", type="integer", compact=True)
        yield Tree[str]("kwargs", id="kwargs", data="")
        yield Footer()

    def on_mount(self) -> None:
        app = fluxloop_app(self)
        self.query_one("#rec-jump", Input).display = False
        path = self.path
        try:
            loaded = app.load_config()
        except UserError as error:
            if path is None:
                self.heading(error.render())
                return
        else:
            replay = loaded.config.replay_args
            self.providers = dict(replay.callable_providers)
            if path is None:
                path = default_recording(loaded.project_dir, replay.recording_file)
        if path is None or not path.is_file():
            where = app.relative(path) if path else "recordings/"
            self.heading(f"No recording in {where}: record calls with fluxloop.record_call_args()")
            return
        self.path = path
        index = LineIndex(path)
        index.build_step()  # the first megabyte now: rows show on the first paint
        self.index = index
        calls = self.query_one(CallList)
        calls.show(index, None, keep_line=False)
        calls.focus()
        self.show_heading()
        if not index.complete:
            self.build_index(index)

    @work(thread=True, exclusive=True, group="index")
    def build_index(self, index: LineIndex) -> None:
        """Index the rest of the file, a megabyte at a time."""
        worker = get_current_worker()
        while not worker.is_cancelled:
            complete = index.build_step()
            self.post_message(self.Indexed(complete))
            if complete:
                return

    def on_recording_screen_indexed(self, message: Indexed) -> None:
        self.query_one(CallList).grow()
        self.show_heading()

    # -- heading ------------------------------------------------------------------------
    def heading(self, text: str) -> None:
        self.query_one("#rec-heading", Static).update(text)

    def show_heading(self) -> None:
        if self.index is None or self.path is None:
            return
        parts = [
            fluxloop_app(self).relative(self.path),
            counted(len(self.index), "line", grouped=True),
        ]
        if not self.index.complete:
            parts[-1] += " (indexing…)"
        calls = self.query_one(CallList)
        if self.filtering:
            parts.append("filtering…")
        elif calls.rows is not None:
            parts.append(f"{len(calls.rows):,} matching")
        if self.target is not None:
            parts.append(f"target {self.target}")
        self.heading(" — ".join(parts))

    # -- filter -------------------------------------------------------------------------
    def action_filter(self) -> None:
        """Type text: only the lines holding it are listed."""
        self.query_one("#rec-filter", Input).focus()

    def action_target(self) -> None:
        """Only the calls of the selected call's target; again: every target."""
        if self.target is not None:
            self.target = None
        else:
            calls = self.query_one(CallList)
            line = calls.current_line()
            item = calls.item(line) if line is not None else None
            if not isinstance(item, RecordedCall):
                self.notify("Select a valid call first: its target is the filter.")
                return
            self.target = item.target
        self.refilter()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "rec-filter":
            self.needle = event.value.strip().lower()
            self.refilter()

    def refilter(self) -> None:
        if self.index is None:
            return
        if not self.needle and self.target is None:
            self.filtering = False
            self.workers.cancel_group(self, "filter")
            self.query_one(CallList).show(self.index, None)
            self.show_heading()
            return
        self.filtering = True
        self.show_heading()
        self.scan(self.index.path, self.needle, self.target)

    @work(thread=True, exclusive=True, group="filter")
    def scan(self, path: Path, needle: str, target: str | None) -> None:
        """Every line holding ``needle`` (of ``target``), read straight from the file."""
        worker = get_current_worker()
        rows = array("L")
        with path.open("rb") as handle:
            for number, raw in enumerate(handle):
                if number % 4096 == 0 and worker.is_cancelled:
                    return
                if line_matches(raw, needle, target):
                    rows.append(number)
        if not worker.is_cancelled:
            self.post_message(self.Filtered(rows, needle, target))

    def on_recording_screen_filtered(self, message: Filtered) -> None:
        if self.index is None or (message.needle, message.target) != (self.needle, self.target):
            return
        self.filtering = False
        self.query_one(CallList).show(self.index, message.rows)
        self.show_heading()

    # -- jump ---------------------------------------------------------------------------
    def action_jump(self) -> None:
        """Ask for a line number and move there."""
        jump = self.query_one("#rec-jump", Input)
        jump.value = ""
        jump.display = True
        jump.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "rec-jump":
            event.input.display = False
            try:
                number = whole_number(event.value, "A line number", 1)
            except UserError as error:
                self.notify(error.render(), severity="warning")
            else:
                if number is not None:
                    self.jump_to(number)
        self.query_one(CallList).focus()

    def jump_to(self, number: int) -> None:
        """Put the cursor on line ``number`` (1-based), or the next listed line after it."""
        calls = self.query_one(CallList)
        if self.index is None:
            return
        lines = len(self.index)
        if not 1 <= number <= lines:
            more = "" if self.index.complete else " so far (still indexing)"
            self.notify(
                f"No line {number}: the file has {counted(lines, 'line', grouped=True)}{more}.",
                severity="warning",
            )
            return
        row = calls.row_of(number - 1)
        if row >= calls.row_count:
            self.notify(f"Line {number} and those after it do not match the filter.")
            return
        if calls.line_at(row) != number - 1:
            self.notify(f"Line {number} does not match the filter: showing the next one.")
        calls.cursor = row

    def action_back_to_list(self) -> None:
        self.query_one("#rec-jump", Input).display = False
        self.query_one(CallList).focus()

    # -- kwargs tree --------------------------------------------------------------------
    def on_call_list_highlighted(self, message: CallList.Highlighted) -> None:
        self.show_item(message.line, message.item)

    def on_call_list_selected(self, message: CallList.Selected) -> None:
        self.query_one(Tree).focus()

    def show_item(self, line: int | None, item: Item) -> None:
        """The tree of the selected line: kwargs of a call, or why the line is invalid."""
        tree = cast(Tree[str], self.query_one(Tree))
        if line is None:
            tree.reset("no call selected", data="")
            return
        if item is None:
            tree.reset(f"line {line + 1}: blank", data="")
            return
        if isinstance(item, RecordingProblem):
            tree.reset(Text(f"line {line + 1}: not a valid call", style="bold red"), data="")
            tree.root.add_leaf(Text(item.message), data="")
            assert self.index is not None
            raw = self.index.read_line(line).decode("utf-8", "replace")
            tree.root.add_leaf(Text(_shorten(raw), style="dim"), data="")
            tree.root.expand()
            return
        tree.reset(
            Text.assemble(
                (f"line {line + 1}", "bold"), f"  iteration {item.iteration}  {item.target}"
            ),
            data="",
        )
        for key, value in item.kwargs.items():
            self.add_value(tree.root, key, value, key, 1)
        tree.root.expand()

    def add_value(self, parent: TreeNode[str], key: str, value: Any, path: str, depth: int) -> None:
        """``key: value`` under ``parent``; dicts and lists as branches (data: the dot path)."""
        children: list[tuple[str, Any]] | None = None
        if isinstance(value, dict):
            children = [(str(k), v) for k, v in value.items()]
            label = Text.assemble((key, "bold"), f" {{{len(value)}}}")
        elif isinstance(value, list):
            children = [(str(i), v) for i, v in enumerate(value)]
            label = Text.assemble((key, "bold"), f" [{len(value)}]")
        if children is None:
            parent.add_leaf(self.leaf_label(key, value), data=path)
            return
        node = parent.add(label, data=path, expand=depth < EXPANDED_DEPTH)
        for child_key, child in children:
            self.add_value(node, child_key, child, f"{path}.{child_key}", depth + 1)

    def leaf_label(self, key: str, value: Any) -> Text:
        """``key: value``; a callable marker also shows its provider (or a red "no provider")."""
        label = Text.assemble((key, "bold"), ": ", _shorten(json.dumps(value, ensure_ascii=False)))
        if callable_marker(value) is not None:
            provider = self.providers.get(key)
            if provider:
                label.append(f"  → {provider}", style="green")
            else:
                label.append("  no provider", style="bold red")
        return label

    # -- actions on the selection -------------------------------------------------------
    def action_override(self) -> None:
        """Save the tree's selected kwarg as replay_args.override_param_path."""
        app = fluxloop_app(self)
        node = cast(Tree[str], self.query_one(Tree)).cursor_node
        if node is None or not node.data:
            self.notify("Pick a kwarg in the tree first (Enter or Tab moves there).")
            return
        try:
            loaded = app.load_config()
            update_config_values(loaded.path, {"replay_args.override_param_path": node.data})
        except UserError as error:
            self.notify(error.render(), severity="error")
            return
        self.notify(
            f"replay_args.override_param_path = {node.data} (saved in {app.relative(loaded.path)})"
        )

    def action_generate(self) -> None:
        """Open the generation screen with this recording's calls as the bases."""
        fluxloop_app(self).action_generate(self.path)


def _shorten(text: str) -> str:
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"
