"""One experiment's evaluation: pass rate and gate, inputs (sortable), checks, grading errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from fluxloop_core.counts import counted
from fluxloop_core.errors import UserError
from fluxloop_core.evaluation.aggregate import CheckRate, FailingRun, InputResult
from fluxloop_core.evaluation.view import (
    INPUT_ORDERS,
    EvaluationView,
    InputOrder,
    find_grading_errors,
    gate_bars,
    load_evaluation_view,
    sort_inputs,
    summary_figures,
)
from fluxloop_core.redaction import redact
from fluxloop_core.results.rows import clip
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.widgets.table import Table, verdict_text

INPUTS_SHOWN = 1000
"""Rows of the inputs table (sorted first, so the worst inputs are always among them)."""

INPUT_COLUMNS = ("#", "input", "k/n", "pass", "95% CI", "state")
CHECK_COLUMNS = ("check", "passed", "failed", "errors", "pass rate")
GRADING_ERROR_COLUMNS = ("run", "input #", "check: why it could not grade")
GRADING_ERRORS_LISTED = 50
# A header the inputs can be sorted by, and the order it picks.
SORTING_HEADERS: dict[str, InputOrder] = {"input": "input", "pass": "pass rate", "state": "state"}


def input_cells(item: InputResult) -> list[str | Text]:
    """One input under INPUT_COLUMNS; a flaky input is marked by its yellow state."""
    interval = item.interval
    return [
        str(item.index),
        clip(item.input),
        f"{item.passed}/{item.graded}",
        f"{interval.estimate:.0%}" if item.graded else "-",
        f"{interval.low:.0%}–{interval.high:.0%}" if item.graded else "-",
        verdict_text(item.state, item.state + (" ⚠" if item.state == "flaky" else "")),
    ]


def check_cells(check: CheckRate) -> list[str | Text]:
    """One check under CHECK_COLUMNS (its rate red when it failed on some run)."""
    graded = check.passed + check.failed
    rate = f"{check.rate:.1%}" if graded else "-"
    return [
        check.name,
        str(check.passed),
        str(check.failed),
        str(check.grading_errors),
        verdict_text("pass" if not check.failed else "fail", rate),
    ]


def headline(view: EvaluationView) -> Text:
    """The figures, the gate's verdict (in colour) with its bars, and why it fails."""
    gate = "holds" if view.gate_passed else "fails"
    lines = [
        Text(redact(summary_figures(view))),
        Text.assemble("gate ", verdict_text(gate), f" ({gate_bars(view.gate)})"),
        *(Text(redact(f"  · {reason}")) for reason in view.gate_reasons),
    ]
    return Text("\n").join(lines)


def grading_errors_heading(view: EvaluationView, *, pending: bool = False) -> str:
    """The grading errors' count, and how many of their runs the table lists (``pending``:
    those runs are still being looked for)."""
    if not view.grading_errors:
        return "Grading errors: none."
    heading = f"Grading errors: {view.grading_errors} (counted apart from fails)"
    if pending:
        return heading + "; finding their runs…"
    listed = min(len(view.grading_error_runs), GRADING_ERRORS_LISTED)
    if listed < view.grading_errors:
        heading += f"; the runs of the first {listed} listed (all in results.jsonl)"
    return heading


def grading_error_cells(run: FailingRun) -> list[str | Text]:
    """A run with a grading error under GRADING_ERROR_COLUMNS."""
    return [run.run_id, str(run.input_index), "; ".join(run.reasons)]


class EvaluationScreen(Screen[None]):
    """An experiment's evaluation: pass rate, gate, inputs, checks, grading errors."""

    CSS_PATH = "evaluation.tcss"

    AUTO_FOCUS = "#inputs"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "sort", "Sort inputs"),
        Binding("escape", "app.pop_screen", "Back"),
    ]

    def __init__(self, experiment: Path) -> None:
        super().__init__()
        self.experiment = experiment
        self.view: EvaluationView | None = None
        self.order: InputOrder = "state"

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(
            f"{fluxloop_app(self).relative(self.experiment)} — evaluation",
            classes="title",
            markup=False,
        )
        # One scrolling body: on a small terminal Tab moves to the checks or the grading
        # errors and scrolls them into view; each table scrolls within its own bound.
        with VerticalScroll(id="eval-body"):
            yield Static("Reading the evaluation…", id="eval-headline", markup=False)
            yield Static("", id="inputs-title", classes="subtitle", markup=False)
            yield Table(id="inputs")
            yield Static("Checks", classes="subtitle")
            yield Table(id="checks")
            yield Static("", id="grading-errors-title", classes="subtitle", markup=False)
            yield Table(id="grading-errors")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#inputs", Table).set_columns(INPUT_COLUMNS)
        self.query_one("#checks", Table).set_columns(CHECK_COLUMNS)
        self.query_one("#grading-errors", Table).set_columns(GRADING_ERROR_COLUMNS)
        self.query_one("#grading-errors", Table).display = False
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Read the evaluation (in a thread: summary.json lists every input)."""
        try:
            # The figures first; the runs with grading errors may take a scan of
            # results.jsonl, so they follow.
            view = load_evaluation_view(self.experiment, grading_errors_kept=0)
        except UserError as error:
            self.app.call_from_thread(self.show_problem, error.render())
            return
        self.app.call_from_thread(self.show, view)
        if view is not None and view.grading_errors:
            found = find_grading_errors(self.experiment)
            self.app.call_from_thread(
                self.show_grading_errors, replace(view, grading_error_runs=found)
            )

    def show_problem(self, problem: str) -> None:
        """Say why there is nothing to show."""
        self.query_one("#eval-headline", Static).update(redact(problem))

    def show(self, view: EvaluationView | None) -> None:
        """Fill the figures, the tables and the grading errors."""
        self.view = view
        if view is None:
            self.show_problem(
                "Not evaluated: add an `evaluation:` section with checks to setting.yaml "
                "(see `fluxloop config schema`), then grade these runs with "
                "`fluxloop evaluate experiment DIR`."
            )
            return
        self.query_one("#eval-headline", Static).update(headline(view))
        checks = self.query_one("#checks", Table)
        checks.clear()
        for check in view.checks:
            checks.add_values(check_cells(check))
        self.query_one("#grading-errors-title", Static).update(
            grading_errors_heading(view, pending=bool(view.grading_errors))
        )
        self.fill_inputs()

    def show_grading_errors(self, view: EvaluationView) -> None:
        """The runs with grading errors, once found."""
        self.view = view
        self.query_one("#grading-errors-title", Static).update(grading_errors_heading(view))
        table = self.query_one("#grading-errors", Table)
        table.clear()
        for run in view.grading_error_runs[:GRADING_ERRORS_LISTED]:
            table.add_values(grading_error_cells(run))
        table.display = table.row_count > 0

    def fill_inputs(self) -> None:
        """The inputs table in the current order (the first INPUTS_SHOWN)."""
        if self.view is None:
            return
        inputs = sort_inputs(self.view.inputs, self.order)
        table = self.query_one("#inputs", Table)
        table.clear()
        for item in inputs[:INPUTS_SHOWN]:
            table.add_values(input_cells(item), key=str(item.index))
        shown = f", the first {INPUTS_SHOWN} shown" if len(inputs) > INPUTS_SHOWN else ""
        self.query_one("#inputs-title", Static).update(
            f"{counted(len(inputs), 'input')}{shown}, by {self.order} (s: sort; Enter: its runs)"
        )

    def action_sort(self) -> None:
        """Sort the inputs by the next order: state, pass rate, input."""
        self.order = INPUT_ORDERS[(INPUT_ORDERS.index(self.order) + 1) % len(INPUT_ORDERS)]
        self.fill_inputs()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Enter on an input: its runs, each with its verdict."""
        if event.data_table.id == "inputs" and event.row_key.value is not None:
            fluxloop_app(self).show_runs(self.experiment, int(event.row_key.value))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        """A click on the input, pass or state header sorts by it."""
        order = SORTING_HEADERS.get(event.label.plain.strip(" │"))
        if event.data_table.id == "inputs" and order is not None:
            self.order = order
            self.fill_inputs()
