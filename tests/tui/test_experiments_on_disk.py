"""The experiments and runs screens show what is on disk: repeated or broken lines of
traces.jsonl (two writers, a hard kill) show each run once and never crash the app."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import DataTable
from tui_helpers import make_app, settle

from fluxloop_tui.screens.experiments import ExperimentsScreen, RunsScreen


def test_repeated_and_broken_lines_show_each_run_once(project: Path) -> None:
    [experiment] = (project / "experiments").iterdir()
    traces = experiment / "traces.jsonl"
    lines = traces.read_bytes()
    traces.write_bytes(lines + b"garbage\n{}\n" + lines + b'{"run_id": "0.')

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, ExperimentsScreen)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, RunsScreen)
            table = app.screen.query_one(DataTable)
            assert table.row_count == 6
            assert sorted(str(table.get_row_at(i)[0]) for i in range(6)) == [
                f"{i}.{j}" for i in range(3) for j in range(2)
            ]

    asyncio.run(run())
