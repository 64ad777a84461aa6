"""Comparing two experiments in the TUI: space marks them on the experiments screen, `c`
opens the per-input comparison (regressions first), Enter one input's outputs side by side
with the differences highlighted."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from textual.widgets import DataTable, Static
from tui_helpers import make_app, settle

from fluxloop_tui.demo_compare import BASE_NAME, CANDIDATE_NAME, add_compare_experiments
from fluxloop_tui.screens.compare import MARK, CompareScreen, OutputsScreen
from fluxloop_tui.screens.experiments import ExperimentsScreen


def _first_column(table: DataTable[object]) -> list[str]:
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def test_marks_show_and_at_most_two_stay(project: Path) -> None:
    add_compare_experiments(project)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            table = app.screen.query_one(DataTable)
            assert _first_column(table)[1:] == [CANDIDATE_NAME, BASE_NAME]
            await pilot.press("space", "down", "space", "down", "space")
            # The first mark gave way to the third.
            assert _first_column(table) == [
                "demo_20250930_150000",
                MARK + CANDIDATE_NAME,
                MARK + BASE_NAME,
            ]
            await pilot.press("space")  # unmark the base
            assert _first_column(table)[2] == BASE_NAME
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ExperimentsScreen)
            assert any("Mark two experiments" in n.message for n in app._notifications)
            # Marks survive a reload; a folder that vanished loses its mark.
            await pilot.press("space", "ctrl+r")
            await settle(pilot)
            assert _first_column(table)[1:] == [MARK + CANDIDATE_NAME, MARK + BASE_NAME]
            shutil.rmtree(project / "experiments" / BASE_NAME)
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert _first_column(table)[1:] == [MARK + CANDIDATE_NAME]

    asyncio.run(run())


def test_the_comparison_lists_regressions_first_and_shows_outputs(project: Path) -> None:
    add_compare_experiments(project)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            # Marked newest first: the older one is still the base.
            await pilot.press("down", "space", "down", "space", "c")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, CompareScreen)
            assert (screen.base.name, screen.candidate.name) == (BASE_NAME, CANDIDATE_NAME)
            table = screen.query_one(DataTable)
            rows = [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]
            assert rows[0] == [
                "What is my balance?",
                "10/10",
                "3/10",
                "-70%",
                "0.0062",
                "regressed",
            ]
            assert rows[1][0] == "Track my parcel" and rows[1][-1] == "improved"
            assert [row[-1] for row in rows[-2:]] == ["new", "gone"]
            heading = str(screen.query_one("#compare-heading", Static).render())
            assert "1 regressed, 1 improved, 2 unchanged, 1 new, 1 gone" in heading
            # The unchanged input whose answer grew: its outputs side by side.
            await pilot.press("down", "down", "down", "enter")
            await settle(pilot)
            outputs = app.screen
            assert isinstance(outputs, OutputsScreen)
            assert outputs.item.key.text == "Cancel my order 1234"
            assert outputs.texts is not None
            before, after = outputs.texts
            added = {after.plain[s.start : s.end] for s in after.spans if s.style == "bold green"}
            # "Order 1234 is " is common to both sides: only the rest is highlighted.
            assert added == {"cancelled; a refund of 20 USD follows within 3 days."}
            removed = {before.plain[s.start : s.end] for s in before.spans if s.style == "bold red"}
            assert removed == {"cancelled."}
            await pilot.press("escape")
            assert isinstance(app.screen, CompareScreen)

    asyncio.run(run())


def test_a_broken_folder_is_a_notification_not_a_crash(project: Path) -> None:
    add_compare_experiments(project)
    (project / "experiments" / BASE_NAME / "traces.jsonl").unlink()

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("down", "space", "down", "space", "c")
            await settle(pilot)
            assert isinstance(app.screen, CompareScreen)
            assert any("no traces.jsonl" in n.message for n in app._notifications)

    asyncio.run(run())
