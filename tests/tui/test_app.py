"""Pilot tests: browse experiments down to a run, filter failed, environment and help."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.binding import Binding
from textual.widgets import DataTable, Static
from tui_helpers import make_app

from fluxloop_tui.app import SCREENS, FluxLoopApp
from fluxloop_tui.screens.environment import EnvironmentScreen
from fluxloop_tui.screens.experiments import ExperimentsScreen, RunDetailScreen, RunsScreen
from fluxloop_tui.screens.help import HelpScreen, binding_entries, key_label


def texts(table: DataTable[object]) -> list[list[str]]:
    """Every row of ``table`` as strings (cells are rich Text)."""
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def test_experiments_to_runs_to_detail(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ExperimentsScreen)
            table = app.screen.query_one(DataTable)
            assert table.row_count == 1
            assert [str(cell) for cell in table.get_row_at(0)][:4] == [
                "demo_20250930_150000",
                "2025-09-30 15:00:00",
                "6/6",
                "83.3%",
            ]
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, RunsScreen)
            assert app.screen.query_one(DataTable).row_count == 6
            heading = str(app.screen.query_one("#heading", Static).render())
            assert "6/6 runs  5 ok  1 failed (83.3%)  avg 12.5 ms  p95 15.0 ms" in heading
            await pilot.press("f")
            await app.workers.wait_for_complete()
            await pilot.pause()
            runs = app.screen.query_one(DataTable)
            # The runs that did not pass: a failed check, the agent's error, a grading error.
            assert [row[:3] for row in texts(runs)] == [
                ["1.1", "1", "success"],
                ["2.0", "0", "error"],
                ["2.1", "1", "success"],
            ]
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, RunDetailScreen)
            text = str(app.screen.query_one("#detail-text", Static).render())
            assert "ValueError: bad question" in text and "Traceback" in text
            await pilot.press("escape", "escape")
            await pilot.pause()
            assert isinstance(app.screen, ExperimentsScreen)

    asyncio.run(run())


def test_environment_masks_until_revealed_and_runs_checks(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("v")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, EnvironmentScreen)
            variables = app.screen.query_one("#variables", DataTable)
            rows = {row[0]: row for row in texts(variables)}
            assert rows["OPENAI_API_KEY"][1:] == ["project .env", "set"]
            await pilot.press("s")
            await pilot.pause()
            rows = {row[0]: row for row in texts(variables)}
            value = rows["OPENAI_API_KEY"][2]
            assert value.endswith("abcd") and "1234567890" not in value
            checks = app.screen.query_one("#checks", DataTable)
            names = [
                [str(cell) for cell in checks.get_row_at(i)][1] for i in range(checks.row_count)
            ]
            assert "config" in names and "last experiment" in names

    asyncio.run(run())


def test_environment_never_shows_a_url_password_or_a_key(project: Path) -> None:
    url = "http://collector:tui-pass-9876@127.0.0.1:9/"
    with (project / ".env").open("a") as env_file:
        env_file.write(f"FLUXLOOP_COLLECTOR_URL={url}\nMY_TUI_TOKEN=tui-token-5432\n")

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("v")
            await app.workers.wait_for_complete()
            await pilot.press("s")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, EnvironmentScreen)
            shown = [
                cell
                for table in app.screen.query(DataTable)
                for row in texts(table)
                for cell in row
            ]
            text = "\n".join(shown)
            assert "http://collector:****@127.0.0.1:9/" in text  # the check and the value
            assert "tui-pass" not in text and "sk-demo-1234567890" not in text
            app.notify("the server said: tui-token-5432")
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert messages and not any("tui-token" in m for m in messages)

    asyncio.run(run())


def test_help_opens_and_closes(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ExperimentsScreen)

    asyncio.run(run())


def test_help_lists_every_described_binding_of_the_app_and_each_screen(project: Path) -> None:
    """Built from the declarations: a binding added to a screen shows without a help edit."""
    screens = [*SCREENS.values(), RunsScreen]

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("question_mark")
            await pilot.pause()
            help_widget = app.screen.query_one("#help", Static)
            text = str(help_widget.render())
            region = help_widget.region
            assert region.right <= 80 and region.bottom <= 24  # the whole list on 80x24
            assert "Leave the field".lower() in text  # a binding the footer does not show
            flat = " ".join(text.split())
            for owner in [FluxLoopApp, *screens]:
                for entry in binding_entries(owner.BINDINGS):
                    assert " ".join(entry.split()) in flat, f"{owner.__name__}: {entry}"
            for title in ["Anywhere", "Projects", "Runs", "Recording", "Config", "Run"]:
                assert f"\n{title} " in text

    asyncio.run(run())


def test_key_labels_and_grouped_keys() -> None:
    assert key_label("ctrl+s") == "Ctrl+S"
    assert key_label("question_mark") == "?"
    assert key_label("escape") == "Esc"
    assert key_label("f2") == "F2"
    assert key_label("G") == "G" and key_label("g") == "g"
    bindings = [
        Binding("y", "toggle", "Raw YAML", show=False),
        Binding("f2", "toggle", "Raw YAML"),
        Binding("k,escape", "keep", "Keep mine"),
        Binding("z", "secret", ""),  # no description: not listed
    ]
    assert binding_entries(bindings) == ["y/F2 raw YAML", "k/Esc keep mine"]


def test_without_a_terminal_the_command_points_at_plain_commands(project: Path) -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "tui", "--project", str(project)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    assert result.returncode == 2
    assert "fluxloop status experiments" in result.stderr and "Traceback" not in result.stderr


def test_projects_list_create_and_open(project: Path) -> None:
    from textual.widgets import Input

    from fluxloop_tui.screens.projects import NewProjectScreen, ProjectsScreen

    async def run() -> None:
        workspace = project.parent.parent
        app = FluxLoopApp(None, workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ProjectsScreen)
            table = app.screen.query_one(DataTable)
            assert [str(cell) for cell in table.get_row_at(0)][:3] == [
                "demo-agent",
                "examples.simple_agent:run",
                "demo_20250930_150000",
            ]
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, NewProjectScreen)
            await pilot.press(*"bad/name")
            await pilot.pause()
            assert str(app.screen.query_one("#problem", Static).render())
            app.screen.query_one("#name", Input).value = ""
            await pilot.press(*"second-agent", "enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert (workspace / "fluxloop" / "second-agent" / "setting.yaml").exists()
            assert isinstance(app.screen, ProjectsScreen)
            assert app.screen.query_one(DataTable).row_count == 2
            await pilot.press("enter")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, ExperimentsScreen)
            assert app.project_dir == project

    asyncio.run(run())
