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
from fluxloop_core.evaluation.verdicts import RunVerdict
from fluxloop_core.evaluation.view import is_evaluated, iter_runs_with_verdicts
from fluxloop_core.redaction import redact
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.reader import list_experiments, load_summary
from fluxloop_core.results.rows import RUN_COLUMNS, summary_line, usage_lines
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.screens.compare import MARK_BINDINGS, MarkingScreen
from fluxloop_tui.screens.evaluation import EvaluationScreen
from fluxloop_tui.widgets.check_results import checks_text
from fluxloop_tui.widgets.experiment_rows import EVALUATED_EXPERIMENT_COLUMNS, experiment_cells
from fluxloop_tui.widgets.run_rows import GRADED_RUN_COLUMNS, run_cells
from fluxloop_tui.widgets.table import Table
from fluxloop_tui.widgets.transcript import conversation_heading, transcript_text

RUNS_SHOWN = 1000


class ExperimentsScreen(MarkingScreen):
    """Every experiment of the project, newest first; Enter opens one, space marks two to
    compare (see screens/compare.py)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+r", "reload", "Reload"),
        *MARK_BINDINGS,
        Binding("a", "evaluation", "Evaluation"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Experiments", classes="title")
        yield Table(id="experiments")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Table).set_columns(EVALUATED_EXPERIMENT_COLUMNS)
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
        rows = [(str(item.path), experiment_cells(item)) for item in listings]
        app.call_from_thread(self.show, rows)

    def show(self, rows: list[tuple[str, list[str | Text]]]) -> None:
        """Fill the table: each experiment's folder and its row."""
        table = self.query_one(Table)
        table.clear()
        for key, cells in rows:
            table.add_values(cells, key=key)
        self.draw_marks()
        if not rows:
            self.notify("No experiments yet: run `fluxloop run experiment`.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.app.push_screen(RunsScreen(Path(event.row_key.value)))

    def action_evaluation(self) -> None:
        """The evaluation of the experiment under the cursor."""
        table = self.query_one(Table)
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            if key is not None:
                self.app.push_screen(EvaluationScreen(Path(key)))


class RunsScreen(Screen[None]):
    """The runs of one experiment; `f` shows only those that did not pass. In an evaluated
    experiment each run shows its verdict (in colour) and the first failing check."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("f", "toggle_failed", "Failed only"),
        Binding("a", "evaluation", "Evaluation"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, experiment: Path, input_index: int | None = None) -> None:
        """``input_index``: only that input's runs (opened from the evaluation view)."""
        super().__init__()
        self.experiment = experiment
        self.input_index = input_index
        self.failed_only = False
        self.runs: dict[str, tuple[TraceRecord, RunVerdict | None]] = {}

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
        self.load()

    def action_toggle_failed(self) -> None:
        """Show all runs, or only those that did not pass (raised, timed out, failed a
        check or could not be graded)."""
        self.failed_only = not self.failed_only
        self.load()

    def action_evaluation(self) -> None:
        """This experiment's evaluation."""
        self.app.push_screen(EvaluationScreen(self.experiment))

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        try:
            figures = summary_line(load_summary(self.experiment))
        except UserError as error:
            figures = error.render()
        runs: list[tuple[TraceRecord, RunVerdict | None]] = []
        try:
            for pair in iter_runs_with_verdicts(
                self.experiment, failed_only=self.failed_only, input_index=self.input_index
            ):
                runs.append(pair)
                if len(runs) >= RUNS_SHOWN:
                    break
        except UserError as error:
            figures = error.render()
        graded = is_evaluated(self.experiment)
        self.app.call_from_thread(self.show, runs, figures, graded)

    def show(
        self,
        runs: list[tuple[TraceRecord, RunVerdict | None]],
        figures: str = "",
        graded: bool = False,
    ) -> None:
        """Fill the table (the first RUNS_SHOWN runs) under the experiment's figures;
        ``graded``: with each run's verdict and failing check."""
        table = self.query_one(Table)
        table.set_columns(GRADED_RUN_COLUMNS if graded else RUN_COLUMNS)
        self.runs = {record.run_id: (record, verdict) for record, verdict in runs}
        for record, verdict in runs:
            table.add_values(run_cells(record, verdict, graded=graded), key=record.run_id)
        label = "runs that did not pass" if self.failed_only else "runs"
        if self.input_index is not None:
            label += f" of input #{self.input_index}"
        self.query_one("#heading", Static).update(
            f"{fluxloop_app(self).relative(self.experiment)} — {len(runs)} {label}\n{figures}"
        )

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        found = self.runs.get(str(event.row_key.value))
        if found is not None:
            self.app.push_screen(RunDetailScreen(*found))


class RunDetailScreen(Screen[None]):
    """One run: its checks, input, output, callback calls, spans and the error with its
    traceback; a conversation's turns as a chat transcript instead of input and output."""

    CSS_PATH = "experiments.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "app.pop_screen", "Back")]

    def __init__(self, record: TraceRecord, verdict: RunVerdict | None = None) -> None:
        super().__init__()
        self.record = record
        self.verdict = verdict

    def compose(self) -> ComposeResult:
        record = self.record
        heading = (
            f"run {record.run_id}  iteration {record.iteration}  {record.status}  "
            f"{record.duration_ms:.1f} ms  attempts {record.attempts}"
        )
        transcript = transcript_text(record)
        conversation = conversation_heading(record)
        if conversation is not None:
            heading += f"\n{conversation}"
        parts: list[str] = []
        if transcript is None:
            parts += [
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
        usage = usage_lines(record)
        if usage:
            parts += ["", *usage]
        if record.error is not None:
            parts += ["", f"error: {record.error.type}: {record.error.message}"]
            if record.error.traceback:
                parts += [record.error.traceback.rstrip()]
        yield Header()
        with VerticalScroll(id="detail"):
            yield Static(redact(heading), markup=False, id="detail-run")
            if self.verdict is not None:
                yield Static(checks_text(self.verdict), id="detail-checks")
            if transcript is not None:
                yield Static(transcript, id="detail-transcript")
            if parts:
                yield Static(redact("\n".join(parts).strip("\n")), markup=False, id="detail-text")
        yield Footer()
