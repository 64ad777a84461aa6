"""Pilot tests of every table: columns parted by a rule, run statuses in colour."""

from __future__ import annotations

import asyncio
import itertools
import re
from pathlib import Path
from typing import Any

import pytest
from rich.color import ColorType
from textual.widgets import DataTable
from tui_helpers import make_app, settle, wait_until

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.scaffold import create_project
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.widgets.table import Table

SIZES = [(80, 24), (120, 36)]

# Keys that open each screen with tables, from the experiments screen.
TABLE_SCREENS: dict[str, list[str]] = {
    "projects": ["p"],
    "experiments": [],
    "runs": ["enter"],
    "environment": ["v"],
    "generate": ["i"],
}

# Succeeds, raises, and outlives timeout_seconds: one run of each status.
MIXED_AGENT = """
import time

def run(text):
    if text == "Test message":
        raise ValueError("bad question")
    if text == "What can you do?":
        time.sleep(5)
    return f"ok {text}"
"""


def shown_lines(table: DataTable[object]) -> list[str]:
    """The table's lines as drawn on screen (header first)."""
    return [table.render_line(y).text for y in range(table.row_count + 1)]


def row_values(table: DataTable[object], index: int) -> list[str]:
    """Row ``index`` (-1: the header) as the values that were put in."""
    if index < 0:
        return [column.label.plain.lstrip(" │") for column in table.ordered_columns]
    return [str(cell) for cell in table.get_row_at(index)]


def assert_columns_parted(table: DataTable[object]) -> None:
    """Every two neighbouring values on screen have blanks and a rule between them, so
    they never read as one, even where a viewer drops the blanks."""
    lines = shown_lines(table)
    for index, line in enumerate(lines):
        values = row_values(table, index - 1)
        for left, right in itertools.pairwise(values):
            # Only where the right value shows after the left one: an empty cell, or one
            # scrolled out of sight at this width (its text may show inside another cell,
            # as an error inside a failing check's reason), is not a neighbour on screen.
            if not left or not right or left not in line:
                continue
            if right not in line[line.index(left) + len(left) :]:
                continue
            assert re.search(re.escape(left) + r" +│ " + re.escape(right), line), (left, line)
            assert (left + right) not in "".join(line.split())


async def run_mixed_experiment(app: FluxLoopApp, pilot: Any) -> None:
    await pilot.press("x", "ctrl+s")
    await wait_until(pilot, lambda: app.session is not None and not app.session.running)
    await pilot.pause(0.5)


def mixed_project(tmp_path: Path) -> Path:
    project = create_project(tmp_path, "mixed-agent", template="simple")
    (project / "examples" / "simple_agent.py").write_text(MIXED_AGENT)
    update_config_values(
        project / "setting.yaml",
        {"collector.enabled": False, "iterations": 1, "runner.timeout_seconds": 0.5},
    )
    return project


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", sorted(TABLE_SCREENS))
def test_neighbouring_columns_never_touch(
    project: Path, screen: str, size: tuple[int, int]
) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            for key in TABLE_SCREENS[screen]:
                await pilot.press(key)
                await settle(pilot)
            tables = list(app.screen.query(DataTable))
            assert tables and all(isinstance(table, Table) for table in tables)
            for table in tables:
                assert table.row_count > 0
                assert_columns_parted(table)

    asyncio.run(run())


def status_colours(table: DataTable[object], column: int) -> dict[str, set[object]]:
    """Each status shown in ``column`` and the colours it is drawn in (cursor row too)."""
    colours: dict[str, set[object]] = {}
    for index in range(table.row_count):
        status = row_values(table, index)[column]
        for segment in table.render_line(index + 1):
            if segment.text.strip() == status and segment.style is not None:
                colours.setdefault(status, set()).add(segment.style.color)
    return colours


@pytest.mark.parametrize("ansi", [False, True], ids=["full colour", "16 colours"])
def test_run_statuses_are_coloured_in_every_table(tmp_path: Path, ansi: bool) -> None:
    """success, error and timeout each in their own colour on the run screen and in the
    experiment's runs; in the 16-colour theme, the terminal's own ANSI colours."""
    project = mixed_project(tmp_path)

    async def run() -> None:
        app = FluxLoopApp(project, project.parent.parent, ansi=ansi)
        async with app.run_test(size=(120, 36)) as pilot:
            await run_mixed_experiment(app, pilot)
            latest = app.screen.query_one("#latest", DataTable)
            on_run_screen = status_colours(latest, 1)
            await pilot.press("ctrl+o")
            await settle(pilot)
            on_runs_screen = status_colours(app.screen.query_one("#runs", DataTable), 2)
            for shown in (on_run_screen, on_runs_screen):
                assert set(shown) == {"success", "error", "timeout"}
                assert all(len(colours) == 1 for colours in shown.values()), shown
                colours = [next(iter(c)) for c in shown.values()]
                assert len(set(colours)) == 3 and None not in colours, shown
                if ansi:
                    assert all(c.type is ColorType.STANDARD for c in colours), colours
            assert_columns_parted(latest)

    asyncio.run(run())


def test_a_value_wider_than_the_terminal_is_kept_whole_and_scrolls() -> None:
    """A column is as wide as its widest value, not cut at the terminal's width."""
    from textual.app import App, ComposeResult

    wide = "w" * 150

    class OneTable(App[None]):
        def compose(self) -> ComposeResult:
            yield Table(id="t")

        def on_mount(self) -> None:
            table = self.query_one(Table)
            table.set_columns(("a", "b"))
            table.add_values(("x", wide))

    async def run() -> None:
        app = OneTable()
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            table = app.query_one(Table)
            assert table.virtual_size.width >= len(wide) + 3
            table.scroll_to(x=table.virtual_size.width, animate=False)
            await pilot.pause()
            assert table.render_line(1).text.rstrip().endswith(wide[-40:])

    asyncio.run(run())
