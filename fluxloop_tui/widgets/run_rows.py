"""A run as a row of the runs table: its status in colour and, when the experiment was
evaluated, its verdict in colour (the run id too) and the first failing check's reason."""

from __future__ import annotations

from rich.text import Text

from fluxloop_core.evaluation.verdicts import RunVerdict
from fluxloop_core.evaluation.view import first_reason, run_outcome
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.rows import RUN_COLUMNS, clip, run_row
from fluxloop_tui.widgets.table import status_text, verdict_text

STATUS_COLUMN = RUN_COLUMNS.index("status")
# Before the timings and the texts, so both fit an 80-column terminal.
GRADED_RUN_COLUMNS: tuple[str, ...] = (
    *RUN_COLUMNS[: STATUS_COLUMN + 1],
    "verdict",
    "failed check",
    *RUN_COLUMNS[STATUS_COLUMN + 1 :],
)


def run_cells(record: TraceRecord, verdict: RunVerdict | None, *, graded: bool) -> list[str | Text]:
    """The row of ``record``: under RUN_COLUMNS, or GRADED_RUN_COLUMNS when ``graded``
    (an evaluated experiment; a run it holds no verdict for shows blanks there)."""
    row: list[str | Text] = list(run_row(record))
    row[STATUS_COLUMN] = status_text(record.status)
    if not graded:
        return row
    outcome = run_outcome(record, verdict)
    row[0] = verdict_text(outcome, record.run_id)
    row[STATUS_COLUMN + 1 : STATUS_COLUMN + 1] = [
        verdict_text(outcome),
        clip(first_reason(verdict)),
    ]
    return row
