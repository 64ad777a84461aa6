"""A fluxloop-cli 0.2.x project (the 0.2.36 fixture) in the TUI: its experiment folder is
listed and its runs are shown, not an empty table."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from legacy_helpers import EXPERIMENT
from textual.widgets import DataTable
from tui_helpers import make_app, settle, wait_until

from fluxloop_tui.screens.experiments import ExperimentsScreen, RunsScreen


def test_a_0_2_experiment_is_listed_and_its_runs_shown(legacy_project: Path) -> None:
    traces = legacy_project / "experiments" / EXPERIMENT / "traces.jsonl"
    inputs = {json.loads(line)["input"] for line in traces.read_text().splitlines()}

    async def run() -> None:
        app = make_app(legacy_project)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("e")
            await wait_until(pilot, lambda: isinstance(app.screen, ExperimentsScreen))
            await settle(pilot)
            listed = app.screen.query_one(DataTable)
            assert listed.row_count == 1  # artifacts/ beside it is no experiment
            assert EXPERIMENT in str(listed.get_row_at(0)[0])
            # Never evaluated: its pass rate and gate are blank.
            labels = [c.label.plain.strip(" │") for c in listed.columns.values()]
            row = [str(cell) for cell in listed.get_row_at(0)]
            assert [row[labels.index("pass")], row[labels.index("gate")]] == ["", ""]
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, RunsScreen))
            await settle(pilot)
            table = app.screen.query_one(DataTable)
            shown = [str(cell) for i in range(table.row_count) for cell in table.get_row_at(i)]
            assert table.row_count == len(traces.read_text().splitlines())
            assert all(any(text[:20] in cell for cell in shown) for text in inputs)

    asyncio.run(run())


def test_the_config_editor_points_a_0_2_project_at_migrate(legacy_project: Path) -> None:
    from textual.widgets import Static

    from fluxloop_tui.screens.config import ConfigScreen

    async def run() -> None:
        app = make_app(legacy_project)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await wait_until(pilot, lambda: isinstance(app.screen, ConfigScreen))
            await settle(pilot)
            status = str(app.screen.query_one("#config-status", Static).render())
            assert "0.2.x project" in status and "fluxloop config migrate" in status
            assert app.screen.path is None  # nothing of simulation.yaml is edited or saved

    asyncio.run(run())
