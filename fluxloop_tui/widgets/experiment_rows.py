"""An experiment as a row of the experiments table: `status experiments`' columns, with
the evaluation's pass rate and gate verdict (in colour) after the success rate, so they
fit an 80-column terminal; both blank for an experiment that was not evaluated (a
fluxloop-cli 0.2.x folder among them)."""

from __future__ import annotations

from rich.text import Text

from fluxloop_core.evaluation.files import pass_and_gate
from fluxloop_core.results.reader import ExperimentListing
from fluxloop_core.results.rows import EXPERIMENT_COLUMNS, experiment_row
from fluxloop_tui.widgets.table import verdict_text

SUCCESS_COLUMN = EXPERIMENT_COLUMNS.index("success")
EVALUATED_EXPERIMENT_COLUMNS: tuple[str, ...] = (
    *EXPERIMENT_COLUMNS[: SUCCESS_COLUMN + 1],
    "pass",
    "gate",
    *EXPERIMENT_COLUMNS[SUCCESS_COLUMN + 1 :],
)

NOT_EVALUATED = ("-", "-")
"""What pass_and_gate says of an experiment that was not evaluated."""


def experiment_cells(item: ExperimentListing) -> list[str | Text]:
    """The row of ``item`` under EVALUATED_EXPERIMENT_COLUMNS (reads its evaluation's
    summary: call it off the UI thread)."""
    row: list[str | Text] = list(experiment_row(item))
    figures = pass_and_gate(item.path)
    rate, gate = ("", "") if figures == NOT_EVALUATED else figures
    row[SUCCESS_COLUMN + 1 : SUCCESS_COLUMN + 1] = [rate, verdict_text(gate)]
    return row
