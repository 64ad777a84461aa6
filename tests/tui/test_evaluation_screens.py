"""Evaluation in the TUI: pass rate and gate per experiment, runs coloured by verdict with
the failing check's reason, every check in the run detail, and the evaluation view."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

import pytest
from eval_helpers import record
from rich.text import Text
from textual.widgets import DataTable, Static
from tui_helpers import make_app, settle, wait_until

from fluxloop_core.evaluation.regrade import regrade_experiment
from fluxloop_core.evaluation.spec import GateSpec, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.results.encoding import record_line
from fluxloop_core.results.models import TRACES_FILE
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.screens import evaluation as evaluation_screen
from fluxloop_tui.screens import experiments as experiments_screen
from fluxloop_tui.screens.evaluation import EvaluationScreen
from fluxloop_tui.screens.experiments import ExperimentsScreen, RunDetailScreen, RunsScreen
from fluxloop_tui.screens.help import HelpScreen

DEMO = "demo_20250930_150000"


def cells(table: DataTable[object], row: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(row)]


def styles(table: DataTable[object], row: int) -> list[str]:
    """Each cell's style (its colour), by column."""
    return [str(getattr(cell, "text", Text()).style) for cell in table.get_row_at(row)]


def columns(table: DataTable[object]) -> list[str]:
    return [column.label.plain.strip(" │") for column in table.columns.values()]


def column(table: DataTable[object], name: str) -> list[str]:
    at = columns(table).index(name)
    return [cells(table, row)[at] for row in range(table.row_count)]


def shown(app: FluxLoopApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def open_screen(pilot: object, app: FluxLoopApp, *keys: str) -> None:
    await settle(pilot)
    for key in keys:
        await pilot.press(key)  # type: ignore[attr-defined]
        await settle(pilot)


def test_experiments_show_pass_rate_and_gate_blank_when_not_evaluated(project: Path) -> None:
    # A copy of the demo experiment, never evaluated and newer: listed first, blank figures.
    demo = project / "experiments" / DEMO
    plain = project / "experiments" / "plain_20251001_090000"
    shutil.copytree(demo, plain)
    shutil.rmtree(plain / "evaluation")
    summary = plain / "summary.json"
    summary.write_text(summary.read_text().replace("2025-09-30T15:00:00", "2025-10-01T09:00:00"))

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_screen(pilot, app)
            assert isinstance(app.screen, ExperimentsScreen)
            table = app.screen.query_one(DataTable)
            assert columns(table)[3:6] == ["success", "pass", "gate"]
            assert column(table, "experiment") == ["plain_20251001_090000", DEMO]
            assert column(table, "pass") == ["", "60.0%"]
            assert column(table, "gate") == ["", "fails"]
            assert "red" in styles(table, 1)[columns(table).index("gate")]
            # `a` on the experiment without an evaluation says how to get one.
            await open_screen(pilot, app, "a")
            assert isinstance(app.screen, EvaluationScreen)
            assert shown(app, "#eval-headline").startswith("Not evaluated")
            assert app.screen.query_one("#inputs", DataTable).row_count == 0

    asyncio.run(run())


def test_runs_are_coloured_by_verdict_with_the_failing_check(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_screen(pilot, app, "enter")
            assert isinstance(app.screen, RunsScreen)
            table = app.screen.query_one(DataTable)
            assert columns(table)[:5] == ["run", "iter", "status", "verdict", "failed check"]
            assert column(table, "verdict") == [
                "passed",
                "passed",
                "passed",
                "failed",
                "agent error",
                "grading error",
            ]
            reasons = column(table, "failed check")
            assert reasons[:3] == ["", "", ""]
            assert reasons[3] == "not_contains: output contains 'I cannot'"
            assert reasons[4] == "success: error: ValueError: bad question"
            assert reasons[5].startswith("tone: the judge did not answer")
            verdict_at = columns(table).index("verdict")
            colours = [styles(table, row)[verdict_at] for row in range(6)]
            assert colours[0] == "green" and colours[3] == "bold red"
            assert colours[5] == "bold magenta"
            assert styles(table, 3)[0] == "bold red"  # the run id takes its verdict's colour

    asyncio.run(run())


def test_run_detail_lists_every_check(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_screen(pilot, app, "enter", "f", "enter")
            assert isinstance(app.screen, RunDetailScreen)
            assert app.screen.record.run_id == "1.1"
            lines = shown(app, "#detail-checks").splitlines()
            assert lines[0] == "checks: failed  score 0.43"
            assert [line.split()[:3] for line in lines[1:]] == [
                ["pass", "output_not_empty", "1.00"],
                ["fail", "not_contains", "0.00"],
                ["pass", "latency_under", "1.00"],
                ["fail", "tone", "0.20"],
            ]
            assert lines[2].endswith("output contains 'I cannot'")
            assert lines[4].endswith("refuses a simple request")
            await pilot.press("escape", "down", "down", "enter")
            await settle(pilot)
            assert isinstance(app.screen, RunDetailScreen)
            assert app.screen.record.run_id == "2.1"
            text = shown(app, "#detail-checks")
            assert text.startswith("checks: grading error")
            assert "error  tone                 -  the judge did not answer" in text

    asyncio.run(run())


def test_the_evaluation_view_sorts_inputs_and_lists_checks_and_grading_errors(
    project: Path,
) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_screen(pilot, app, "a")
            assert isinstance(app.screen, EvaluationScreen)
            headline = shown(app, "#eval-headline")
            assert headline.startswith(
                "pass 60.0% (95% CI 20.0%–90.0%)  3/5 graded runs passed  1 ungraded"
            )
            assert "gate fails (min pass rate 90%)" in headline
            assert "· Pass rate 60.0% (95% CI 20.0%–90.0%) is under the bar 90.0%." in headline
            inputs = app.screen.query_one("#inputs", DataTable)
            # By state: the failing input, the flaky one (marked), the passing one.
            assert [cells(inputs, row) for row in range(3)] == [
                ["2", "Où est mon colis ?", "0/1", "0%", "0%–79%", "fail"],
                ["1", "Cancel my order 1234", "1/2", "50%", "9%–91%", "flaky ⚠"],
                ["0", "What is my balance?", "2/2", "100%", "34%–100%", "pass"],
            ]
            assert "yellow" in styles(inputs, 1)[-1]
            assert shown(app, "#inputs-title") == "3 inputs, by state (s: sort; Enter: its runs)"
            await pilot.press("s")
            assert column(inputs, "#") == ["2", "1", "0"]
            assert (
                shown(app, "#inputs-title") == "3 inputs, by pass rate (s: sort; Enter: its runs)"
            )
            await pilot.press("s")
            assert column(inputs, "#") == ["1", "2", "0"]  # Cancel…, Où…, What…
            await pilot.press("s")
            assert shown(app, "#inputs-title").endswith("by state (s: sort; Enter: its runs)")
            checks = app.screen.query_one("#checks", DataTable)
            assert cells(checks, 1) == ["not_contains", "4", "1", "0", "80.0%"]
            assert cells(checks, 3) == ["tone", "3", "1", "1", "75.0%"]
            assert shown(app, "#grading-errors-title") == (
                "Grading errors: 1 (counted apart from fails)"
            )
            errors = app.screen.query_one("#grading-errors", DataTable)
            assert [cells(errors, 0)] == [
                ["2.1", "2", "tone: the judge did not answer (HTTP 429 after 3 retries)"]
            ]
            # Enter on the flaky input: its runs, each with its verdict.
            await open_screen(pilot, app, "down", "enter")
            assert isinstance(app.screen, RunsScreen) and app.screen.input_index == 1
            assert "— 2 runs of input #1" in shown(app, "#heading")
            runs = app.screen.query_one(DataTable)
            assert column(runs, "run") == ["1.0", "1.1"]
            assert column(runs, "verdict") == ["passed", "failed"]
            await open_screen(pilot, app, "escape", "escape")
            # Back, and the same view from the runs screen.
            await open_screen(pilot, app, "escape", "enter", "a")
            assert isinstance(app.screen, EvaluationScreen)
            assert app.screen.experiment.name == DEMO

    asyncio.run(run())


def test_help_lists_the_evaluation_keys(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await open_screen(pilot, app, "question_mark")
            assert isinstance(app.screen, HelpScreen)
            lines = shown(app, "#help").splitlines()
            assert (
                "Experiments  Ctrl+R reload   space mark   c compare marked   a evaluation" in lines
            )
            assert "Runs         f failed only   a evaluation   Esc back" in lines
            assert "Evaluation   s sort inputs   Esc back" in lines

    asyncio.run(run())


CONTAINS_Y: dict[str, Any] = {"check": "contains", "keywords": ["y"]}


def graded_experiment(
    project: Path, inputs: int, iterations: int, check: dict[str, Any] = CONTAINS_Y
) -> Path:
    """An experiment whose odd inputs fail the default check on their last iteration."""
    folder = project / "experiments" / "big_20251002_000000"
    folder.mkdir()
    runs = [
        record(
            "no" if i % 2 and j == iterations - 1 else "yes",
            input_index=i,
            iteration=j,
            text=f"input {i:05d}",
        )
        for i in range(inputs)
        for j in range(iterations)
    ]
    (folder / TRACES_FILE).write_bytes(b"".join(record_line(run)[1] for run in runs))
    plan = compile_plan(validate_evaluation({"checks": [check]}))
    regrade_experiment(folder, plan, GateSpec(min_pass_rate=0.9))
    return folder


def test_big_experiments_show_a_bounded_number_of_rows(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tables stop at their limits (the worst inputs first) however many there are."""
    monkeypatch.setattr(evaluation_screen, "INPUTS_SHOWN", 10)
    monkeypatch.setattr(experiments_screen, "RUNS_SHOWN", 15)
    folder = graded_experiment(project, inputs=40, iterations=2)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            app.push_screen(EvaluationScreen(folder))
            await settle(pilot)
            inputs = app.screen.query_one("#inputs", DataTable)
            assert inputs.row_count == 10
            assert set(column(inputs, "state")) == {"flaky ⚠"}
            assert (
                shown(app, "#inputs-title")
                == "40 inputs, the first 10 shown, by state (s: sort; Enter: its runs)"
            )
            app.push_screen(RunsScreen(folder))
            await settle(pilot)
            assert app.screen.query_one(DataTable).row_count == 15
            await pilot.press("f")
            await wait_until(pilot, lambda: "did not pass" in shown(app, "#heading"))
            await settle(pilot)
            failing = app.screen.query_one(DataTable)
            assert failing.row_count == 15
            assert set(column(failing, "verdict")) == {"failed"}

    asyncio.run(run())


def test_grading_errors_say_so_while_their_runs_are_looked_for(project: Path) -> None:
    from fluxloop_core.evaluation.view import load_evaluation_view
    from fluxloop_tui.screens.evaluation import grading_errors_heading

    view = load_evaluation_view(project / "experiments" / DEMO, grading_errors_kept=0)
    assert view is not None
    assert grading_errors_heading(view, pending=True) == (
        "Grading errors: 1 (counted apart from fails); finding their runs…"
    )
    # Found none (results.jsonl lost them): the count still stands, and says so.
    assert grading_errors_heading(view).endswith(
        "; the runs of the first 0 listed (all in results.jsonl)"
    )


def test_on_a_small_terminal_tab_brings_the_checks_into_view(project: Path) -> None:
    folder = graded_experiment(project, inputs=40, iterations=2)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.push_screen(EvaluationScreen(folder))
            await settle(pilot)
            body = app.screen.query_one("#eval-body")
            checks = app.screen.query_one("#checks", DataTable)
            assert app.focused is app.screen.query_one("#inputs", DataTable)
            assert not body.region.contains_region(checks.region)  # below the fold
            await pilot.press("tab")
            await settle(pilot)
            assert app.focused is checks
            assert body.scroll_y > 0 and body.region.contains_region(checks.region)

    asyncio.run(run())


HOSTILE = "https://bot:hunter2pass@example.test [/red] [bold]x"


def test_reasons_and_inputs_show_as_typed_with_secrets_hidden(project: Path) -> None:
    """A check's reason and an input quote the agent's text: markup stays text (never
    parsed, never crashing the app) and a URL's password is hidden, on every screen."""
    from fluxloop_core.evaluation.aggregate import Aggregator
    from fluxloop_core.evaluation.checks import CheckOutcome
    from fluxloop_core.evaluation.files import (
        RESULTS_FILE,
        evaluation_dir,
        verdict_line,
        write_summary,
    )
    from fluxloop_core.evaluation.verdicts import RunVerdict

    folder = project / "experiments" / "hostile_20251003_000000"
    folder.mkdir()
    run = record("out", text=HOSTILE)
    (folder / TRACES_FILE).write_bytes(record_line(run)[1])
    verdict = RunVerdict(
        run.run_id, 0, 0, HOSTILE, False, False, 0.0, False, 1.0,
        (CheckOutcome("python", False, 0.0, HOSTILE, grading_error=True),),
    )  # fmt: skip
    evaluation_dir(folder).mkdir()
    (evaluation_dir(folder) / RESULTS_FILE).write_bytes(verdict_line(verdict))
    aggregator = Aggregator(GateSpec(min_pass_rate=0.9))
    aggregator.add(verdict)
    write_summary(folder, aggregator.summary())

    def hidden(text: str, *, clipped: bool = False) -> None:
        assert "hunter2pass" not in text and "bot:****@example" in text
        assert clipped or "[/red] [bold]x" in text

    async def run_app() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            app.push_screen(RunsScreen(folder))
            await settle(pilot)
            runs = app.screen.query_one(DataTable)
            assert column(runs, "verdict") == ["grading error"]
            hidden(column(runs, "failed check")[0] + column(runs, "input")[0], clipped=True)
            await open_screen(pilot, app, "enter")
            hidden(shown(app, "#detail-checks"))
            app.push_screen(EvaluationScreen(folder))
            await settle(pilot)
            errors = app.screen.query_one("#grading-errors", DataTable)
            hidden(cells(errors, 0)[2])
            hidden(column(app.screen.query_one("#inputs", DataTable), "input")[0], clipped=True)

    asyncio.run(run_app())


def test_no_failing_runs_still_shows_the_verdict_columns(project: Path) -> None:
    folder = graded_experiment(project, 2, 1, {"check": "output_not_empty"})

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            app.push_screen(RunsScreen(folder))
            await open_screen(pilot, app, "f")
            table = app.screen.query_one(DataTable)
            assert table.row_count == 0 and "verdict" in columns(table)
            assert "— 0 runs that did not pass" in shown(app, "#heading")

    asyncio.run(run())
