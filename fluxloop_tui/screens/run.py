"""Run an experiment and watch it: progress, the latest runs, errors, and a stop."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Checkbox,
    Footer,
    Header,
    Input,
    Label,
    ProgressBar,
    Select,
    Static,
)

from fluxloop_core.config.executors import EXECUTORS, ExecutorName
from fluxloop_core.errors import UserError
from fluxloop_core.evaluation.aggregate import EvaluationSummary
from fluxloop_core.evaluation.view import interval_text
from fluxloop_core.redaction import redact
from fluxloop_core.results.rows import clip, summary_line
from fluxloop_core.runner.events import RunFailed, RunFinished, RunGraded
from fluxloop_core.runner.experiment import RunOptions
from fluxloop_tui.context import fluxloop_app, main_widget
from fluxloop_tui.screens.evaluation import EvaluationScreen
from fluxloop_tui.screens.experiments import RunsScreen
from fluxloop_tui.session import ExperimentSession, SessionView
from fluxloop_tui.widgets.fields import whole_number
from fluxloop_tui.widgets.table import Table, status_text, verdict_text

REFRESH_SECONDS = 0.25
LATEST_SHOWN = 20
ERRORS_SHOWN = 3
LATEST_COLUMNS = ("run", "status", "ms", "input", "output / error")
LATEST_GRADED_COLUMNS = ("run", "status", "checks", "ms", "input", "output / error")


def evaluation_line(summary: EvaluationSummary) -> str:
    """The finished experiment's checks: pass rate with its interval, and the gate."""
    gate = "holds" if summary.gate.passed else "fails"
    return f"checks: pass {interval_text(summary.pass_rate)}, gate {gate} (a: the evaluation)"


def latest_row(
    event: RunFinished | RunFailed, graded: RunGraded | None = None, *, evaluated: bool = False
) -> list[str | Text]:
    """One row of the latest-runs table (the status in colour); ``evaluated``: with the
    checks' verdict after the status, ``passed`` or the first failing check's reason."""
    if isinstance(event, RunFinished):
        status, result = "success", event.output_preview
    else:
        status, result = event.status, event.error
    row: list[str | Text] = [
        event.run_id,
        status_text(status),
        f"{event.duration_ms:.1f}" if event.duration_ms < 10 else f"{event.duration_ms:.0f}",
        clip(event.input, 24),
        clip(result, 60),
    ]
    if evaluated:
        row.insert(2, _checks_cell(graded))
    return row


def _checks_cell(graded: RunGraded | None) -> Text:
    if graded is None:
        return Text("")
    if graded.passed:
        return verdict_text("passed")
    reason = clip(graded.reasons[0] if graded.reasons else "", 36)
    return verdict_text("failed" if graded.graded else "grading error", reason)


class ConfirmStop(ModalScreen[bool]):
    """Ask before stopping: a stop keeps finished runs; a second one drops those running."""

    CSS_PATH = "run.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Stop"),
        Binding("n,escape", "answer(False)", "Keep running"),
    ]

    def __init__(self, *, already_stopping: bool) -> None:
        super().__init__()
        self.already_stopping = already_stopping

    def compose(self) -> ComposeResult:
        if self.already_stopping:
            question = (
                "Stop at once?\n\nRuns still in progress are not written; "
                "`fluxloop run experiment --resume` runs them later."
            )
        else:
            question = (
                "Stop the experiment?\n\nNothing new starts, runs in progress get a short "
                "grace period, and every finished run is kept."
            )
        with Vertical(id="confirm"):
            yield Static(question)
            yield Static("y stop    n keep running", classes="keys")

    def action_answer(self, stop: bool) -> None:
        self.dismiss(stop)


class RunScreen(Screen[None]):
    """Start the project's experiment (iterations and parallel runs overridable)."""

    CSS_PATH = "run.tcss"

    # The runs table, not a number field: the app's single-letter keys work from the start.
    AUTO_FOCUS = "#latest"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start", priority=True),
        Binding("ctrl+x", "stop", "Stop", priority=True),
        Binding("ctrl+o", "open_results", "Results", priority=True),
        Binding("a", "open_evaluation", "Evaluation"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._painted: tuple[object, ...] = ()
        self._evaluated_columns = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Run experiment", classes="title", id="run-title", markup=False)
        with Horizontal(id="run-options"):
            yield Label("Iterations")
            yield Input(id="iterations", placeholder="config", type="integer", compact=True)
            yield Label("Parallel runs")
            yield Input(id="parallel", placeholder="config", type="integer", compact=True)
            yield Label("Executor")
            yield Select(
                [(name, name) for name in EXECUTORS], id="executor", prompt="config", compact=True
            )
            yield Checkbox("Collector", id="collector", compact=True)
        yield Static("", id="run-status", markup=False)
        yield ProgressBar(total=1, id="run-progress", show_eta=False)
        yield Table(id="latest")
        yield Static("", id="run-errors", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#latest", Table)
        table.set_columns(LATEST_COLUMNS)
        self.set_interval(REFRESH_SECONDS, self.refresh_view)
        session = fluxloop_app(self).session
        if session is None:
            self._show_plan()
        else:
            self.refresh_view()

    def _show_plan(self) -> None:
        """Before a start: what would run, from the config on disk."""
        status = self.query_one("#run-status", Static)
        try:
            loaded = fluxloop_app(self).load_config()
        except UserError as error:
            status.update(error.render())
            return
        config = loaded.config
        self.query_one("#run-title", Static).update(f"Run experiment: {config.name}")
        self.query_one("#collector", Checkbox).value = config.collector_url(loaded.env) is not None
        status.update(
            f"{config.runner.target_words}: iterations {config.iterations}, parallel runs "
            f"{config.parallel_runs}, executor {config.runner.executor}. "
            "Ctrl+S starts; Ctrl+X stops."
        )

    def _executor(self) -> ExecutorName | None:
        """The executor chosen on the screen; None keeps the config's."""
        value = self.query_one("#executor", Select).value
        return next((name for name in EXECUTORS if name == value), None)

    def action_start(self) -> None:
        """Start the experiment in a worker thread, unless one is running."""
        app = fluxloop_app(self)
        if app.session is not None and app.session.running:
            self.notify("An experiment is already running: Ctrl+X stops it.", severity="warning")
            return
        try:
            options = RunOptions(
                iterations=whole_number(
                    self.query_one("#iterations", Input).value, "Iterations", 1
                ),
                parallel_runs=whole_number(
                    self.query_one("#parallel", Input).value, "Parallel runs", 1
                ),
                use_collector=self.query_one("#collector", Checkbox).value,
                executor=self._executor(),
            )
            loaded = app.load_config()
        except UserError as error:
            self.notify(error.render(), severity="error", title="Cannot start")
            return
        app.start_session(ExperimentSession(loaded, options))
        # Out of the number fields, so the app's single-letter keys work while it runs.
        self.set_focus(main_widget(self))
        config = loaded.config
        self.query_one("#run-title", Static).update(
            f"Run experiment: {config.name} · {config.runner.target_words}"
        )
        self.refresh_view()

    def action_stop(self) -> None:
        """Ask, then stop the running experiment (finished runs are kept)."""
        session = fluxloop_app(self).session
        if session is None or not session.running:
            self.notify("No experiment is running.")
            return

        def answered(stop: bool | None) -> None:
            if stop:
                session.stop()
                self.refresh_view()

        self.app.push_screen(ConfirmStop(already_stopping=session.token.cancelled), answered)

    def _finished_experiment(self) -> Path | None:
        session = fluxloop_app(self).session
        if session is None or session.running or session.experiment_dir is None:
            self.notify("Results open when an experiment has finished.")
            return None
        return session.experiment_dir

    def action_open_results(self) -> None:
        """The finished experiment's runs."""
        experiment = self._finished_experiment()
        if experiment is not None:
            self.app.push_screen(RunsScreen(experiment))

    def action_open_evaluation(self) -> None:
        """The finished experiment's evaluation."""
        experiment = self._finished_experiment()
        if experiment is not None:
            self.app.push_screen(EvaluationScreen(experiment))

    def refresh_view(self) -> None:
        """Repaint from the session's latest figures (on a timer: updates are coalesced)."""
        session = fluxloop_app(self).session
        if session is None:
            return
        view = session.snapshot()
        # While it runs, every tick (rate and ETA move even between runs); once it has
        # ended, only when something changed, so a finished experiment costs nothing.
        mark = (
            id(session),
            view.state.done,
            view.running,
            view.stopping,
            view.problem,
            len(view.warnings),
        )
        if view.running or mark != self._painted:
            self._painted = mark
            self._paint(view)

    def _paint(self, view: SessionView) -> None:
        state = view.state
        bar = self.query_one("#run-progress", ProgressBar)
        bar.update(total=max(state.total, 1), progress=state.done)
        # Warnings and problems quote config values (a collector URL with its password).
        self.query_one("#run-status", Static).update(redact(self._status_text(view)))
        table = self.query_one("#latest", Table)
        evaluated = bool(view.graded)
        if evaluated != self._evaluated_columns:
            self._evaluated_columns = evaluated
            table.set_columns(LATEST_GRADED_COLUMNS if evaluated else LATEST_COLUMNS)
        table.clear()
        for event in reversed(view.recent[-LATEST_SHOWN:]):
            table.add_values(latest_row(event, view.graded.get(event.run_id), evaluated=evaluated))
        errors = [
            f"{e.run_id} {e.status}: {clip(e.error, 100)}" for e in view.errors[-ERRORS_SHOWN:]
        ]
        shown = redact("\n".join(errors)) if errors else "No errors."  # agents' own text
        self.query_one("#run-errors", Static).update(shown)

    def _status_text(self, view: SessionView) -> str:
        if view.problem is not None:
            return view.problem
        where = fluxloop_app(self).relative(view.experiment_dir) if view.experiment_dir else ""
        told = [*view.warnings, *(view.result.warnings if view.result else ())]
        warnings = "".join(f"\nwarning: {w}" for w in told)
        if view.result is not None:
            summary = view.result.summary
            ended = "Interrupted" if summary.interrupted else "Finished"
            graded = view.result.evaluation
            checks = "" if graded is None else f"\n{evaluation_line(graded)}"
            return (
                f"{ended}: {summary_line(summary)}{checks}\n{where} (Ctrl+O opens the runs)"
                + warnings
            )
        prefix = "Stopping…" if view.stopping else "Running"
        turns = view.state.turns()
        turns_line = f"\n{turns}" if turns else ""
        return f"{prefix} {view.state.describe()}{turns_line}\n{where}" + warnings
