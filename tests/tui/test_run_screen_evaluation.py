"""The run screen with an evaluated config: the pass rate while runs are graded, and the
pass rate with its interval and the gate once the experiment has finished."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable, Static
from tui_helpers import make_app, settle, wait_until

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.runner.events import ExperimentStarted, RunFinished, RunGraded
from fluxloop_core.runner.experiment import RunOptions
from fluxloop_core.scaffold import create_project
from fluxloop_tui.screens.evaluation import EvaluationScreen
from fluxloop_tui.screens.run import RunScreen
from fluxloop_tui.session import ExperimentSession

EVALUATION = """
evaluation:
  checks:
    - check: not_contains
      keywords: ["Test message"]
  gate:
    min_pass_rate: 0.9
"""


def graded_project(tmp_path: Path) -> Path:
    """The simple template, offline, 2 iterations; one input of three fails its check."""
    project = create_project(tmp_path, "graded-agent", template="simple")
    update_config_values(project / "setting.yaml", {"collector.enabled": False, "iterations": 2})
    with open(project / "setting.yaml", "a", encoding="utf-8") as config:
        config.write(EVALUATION)
    return project


def status(app: object) -> str:
    return str(app.screen.query_one("#run-status", Static).render())  # type: ignore[attr-defined]


def labels(app: object) -> list[str]:
    """The latest-runs table's column labels."""
    latest = app.screen.query_one("#latest", DataTable)  # type: ignore[attr-defined]
    return [column.label.plain.strip(" │") for column in latest.columns.values()]


def finished(run_id: str) -> RunFinished:
    return RunFinished(run_id, "Hello world", 0, 1.0, 1, "Processed: Hello world")


def test_the_pass_rate_shows_while_runs_are_graded(tmp_path: Path) -> None:
    project = graded_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, RunScreen)
            # The runner's events, fed as its thread would: the screen repaints from them.
            session = ExperimentSession(app.load_config(), RunOptions())
            app.session = session
            session.on_event(ExperimentStarted("graded-agent", tmp_path / "exp", 4, 2, 2, 1))
            session.on_event(finished("0.0"))
            app.screen.refresh_view()
            assert status(app).startswith("Running 1/4 runs  ok 1  failed 0  ")
            assert "pass " not in status(app)  # nothing graded yet
            assert "checks" not in labels(app)
            session.on_event(RunGraded("0.0", True, (), 1, 1.0))
            session.on_event(finished("1.0"))
            session.on_event(RunGraded("1.0", False, ("not_contains: found",), 2, 0.5))
            app.screen.refresh_view()
            assert "2/4 runs  ok 2  failed 0  pass 50.0%" in status(app)
            # The latest runs show their verdict: passed, or the failing check's reason.
            latest = app.screen.query_one("#latest", DataTable)
            assert labels(app)[:3] == ["run", "status", "checks"]
            rows = [[str(cell) for cell in latest.get_row_at(i)] for i in range(2)]
            assert [row[:3] for row in rows] == [
                ["1.0", "success", "not_contains: found"],
                ["0.0", "success", "passed"],
            ]
            # A check that could not grade the run is told apart from one that failed it.
            session.on_event(finished("2.0"))
            session.on_event(RunGraded("2.0", False, ("tone: no answer",), 3, 1 / 3, False))
            app.screen.refresh_view()
            failed_cell, error_cell = latest.get_row_at(1)[2], latest.get_row_at(0)[2]
            assert str(error_cell) == "tone: no answer" and "magenta" in str(error_cell.text.style)
            assert "red" in str(failed_cell.text.style)
            session.running = False  # lets the app quit without a worker to stop

    asyncio.run(run())


def test_a_finished_experiment_shows_its_pass_rate_and_gate(tmp_path: Path) -> None:
    project = graded_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("x")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            await pilot.pause(0.5)
            lines = status(app).splitlines()
            assert lines[0].startswith("Finished: 6/6 runs  6 ok")
            # 4 of 6 runs pass: "Test message" fails its check on both iterations.
            assert lines[1].startswith("checks: pass 66.7% (95% CI ")
            assert lines[1].endswith("gate fails (a: the evaluation)")
            await pilot.press("a")
            await settle(pilot)
            assert isinstance(app.screen, EvaluationScreen)
            headline = str(app.screen.query_one("#eval-headline", Static).render())
            assert headline.startswith("pass 66.7% (95% CI ")

    asyncio.run(run())
