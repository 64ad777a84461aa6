"""Past experiments, one experiment's runs, and a run's detail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fluxloop_core.errors import UserError
from fluxloop_core.redaction import redact
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.reader import (
    ExperimentListing,
    iter_traces,
    list_experiments,
    load_summary,
)
from fluxloop_core.results.rows import (
    EXPERIMENT_COLUMNS,
    RUN_COLUMNS,
    experiment_row,
    run_row,
    summary_line,
)
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.screens.compare import MARK_BINDINGS, MarkingScreen
from fluxloop_tui.widgets.table import Table, status_text

RUNS_SHOWN = 1000
STATUS_COLUMN = RUN_COLUMNS.index("status")


def _coloured(row: list[str]) -> list[str | Text]:
    """A run's row with its status in colour."""
    coloured: list[str | Text] = list(row)
    coloured[STATUS_COLUMN] = status_text(row[STATUS_COLUMN])
    return coloured


class ExperimentsScreen(MarkingScreen):
    """Every experiment of the project, newest first; Enter opens one, space marks two to
    compare (see screens/compare.py)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload"),
        *MARK_BINDINGS,
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Experiments", classes="title")
        yield Table(id="experiments")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Table).set_columns(EXPERIMENT_COLUMNS)
        self.action_reload()

    def action_reload(self) -> None:
        """Read the experiment folders again (in a thread: folders can be many)."""
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        app = self.app
        try:
            listings = list_experiments(fluxloop_app(self).load_config().config.output_directory)
        except UserError as error:
            app.call_from_thread(app.notify, error.render(), severity="error")
            return
        app.call_from_thread(self.show, listings)

    def show(self, listings: list[ExperimentListing]) -> None:
        """Fill the table."""
        table = self.query_one(Table)
        table.clear()
        for item in listings:
            table.add_values(experiment_row(item), key=str(item.path))
        self.draw_marks()
        if not listings:
            self.notify("No experiments yet: run `fluxloop run experiment`.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(RunsScreen(Path(event.row_key.value)))


class RunsScreen(Screen[None]):
    """The runs of one experiment; `f` shows only the failed ones."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_failed", "Failed only"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, experiment: Path) -> None:
        super().__init__()
        self.experiment = experiment
        self.failed_only = False
        self.records: dict[str, TraceRecord] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            fluxloop_app(self).relative(self.experiment),
            classes="title",
            id="heading",
            markup=False,
        )
        yield Table(id="runs")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Table).set_columns(RUN_COLUMNS)
        self.load()

    def action_toggle_failed(self) -> None:
        """Show all runs, or only those that did not succeed."""
        self.failed_only = not self.failed_only
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        try:
            figures = summary_line(load_summary(self.experiment))
        except UserError as error:
            figures = error.render()
        records: list[TraceRecord] = []
        try:
            for record in iter_traces(self.experiment, failed_only=self.failed_only):
                records.append(record)
                if len(records) >= RUNS_SHOWN:
                    break
        except UserError as error:
            figures = error.render()
        self.app.call_from_thread(self.show, records, figures)

    def show(self, records: list[TraceRecord], figures: str = "") -> None:
        """Fill the table (the first RUNS_SHOWN runs) under the experiment's figures."""
        table = self.query_one(Table)
        table.clear()
        self.records = {r.run_id: r for r in records}
        for record in records:
            table.add_values(_coloured(run_row(record)), key=record.run_id)
        label = "failed runs" if self.failed_only else "runs"
        self.query_one("#heading", Static).update(
            f"{fluxloop_app(self).relative(self.experiment)} — {len(records)} {label}\n{figures}"
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        record = self.records.get(str(event.row_key.value))
        if record is not None:
            self.app.push_screen(RunDetailScreen(record))


class RunDetailScreen(Screen[None]):
    """One run: input, output, callback calls, spans and the error with its traceback."""

    CSS_PATH = "experiments.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, record: TraceRecord) -> None:
        super().__init__()
        self.record = record

    def compose(self) -> ComposeResult:
        record = self.record
        parts = [
            f"run {record.run_id}  iteration {record.iteration}  {record.status}  "
            f"{record.duration_ms:.1f} ms  attempts {record.attempts}",
            "",
            "input:",
            record.input,
            "",
            "output:",
            json.dumps(record.output, indent=2, ensure_ascii=False),
        ]
        if record.callback_calls:
            parts += ["", "callback calls:"]
            parts += [
                f"  {c.parameter} ({c.provider}): {json.dumps(c.args, ensure_ascii=False)}"
                for c in record.callback_calls
            ]
        if record.spans:
            parts += ["", "spans:"]
            parts += [
                f"  {s.get('name')} [{s.get('kind')}] {s.get('status')} "
                f"{float(s.get('duration_ms', 0.0)):.1f} ms"
                for s in record.spans
            ]
        if record.error is not None:
            parts += ["", f"error: {record.error.type}: {record.error.message}"]
            if record.error.traceback:
                parts += [record.error.traceback.rstrip()]
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(redact("\n".join(parts)), markup=False, id="detail-text")
        yield Footer()
