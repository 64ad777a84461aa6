"""The recording inspector: a lazy list of the calls of a recording, and one call's kwargs.

Opens a ``recordings/*.jsonl`` of any size at once: line offsets are indexed in the
background (:class:`~fluxloop_core.recording.LineIndex`), and the list renders only the rows
on screen, reading and parsing those lines on demand (with a small cache).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static
from textual.worker import get_current_worker

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.counts import counted
from fluxloop_core.errors import UserError
from fluxloop_core.recording import LineIndex, RecordedCall, RecordingProblem
from fluxloop_core.recording_browse import Item, default_recording, matching_lines
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.widgets.call_list import COLUMNS, CallList
from fluxloop_tui.widgets.fields import whole_number
from fluxloop_tui.widgets.kwargs_tree import KwargsTree


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
        yield KwargsTree(id="kwargs")
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
            self.query_one(KwargsTree).providers = dict(replay.callable_providers)
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
        rows = matching_lines(path, needle, target, lambda: worker.is_cancelled)
        if rows is not None:
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
        self.query_one(KwargsTree).focus()

    def show_item(self, line: int | None, item: Item) -> None:
        """The tree of the selected line: kwargs of a call, or why the line is invalid."""
        raw = b""
        if isinstance(item, RecordingProblem) and self.index is not None and line is not None:
            raw = self.index.read_line(line)  # shown under the problem
        self.query_one(KwargsTree).show_item(line, item, raw)

    # -- actions on the selection -------------------------------------------------------
    def action_override(self) -> None:
        """Save the tree's selected kwarg as replay_args.override_param_path."""
        app = fluxloop_app(self)
        node = self.query_one(KwargsTree).cursor_node
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
