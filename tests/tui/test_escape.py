"""Pilot tests: Esc leaves every text field and the raw YAML editor, so the app's keys
act again instead of being typed into the field or the file."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, TextArea
from tui_helpers import make_app, settle

from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.context import main_widget
from fluxloop_tui.screens.help import HelpScreen
from fluxloop_tui.screens.projects import NewProjectScreen, ProjectsScreen

# Keys that open a screen (from the experiments screen) and show its fields.
FIELD_SCREENS: dict[str, list[str]] = {
    "config form": ["o"],
    "config raw YAML": ["o", "y"],
    "recording filter and go-to-line": ["r", "g"],
    "generate": ["i"],
    "run": ["x"],
}


def typed_text(field: Input | TextArea) -> str:
    return field.value if isinstance(field, Input) else field.text


async def leave(app: FluxLoopApp, pilot: Any, field: Input | TextArea) -> None:
    """Focus ``field`` and leave it with Esc: the screen's main widget has the focus."""
    screen = app.screen
    field.focus()
    await pilot.pause()
    assert app.focused is field
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen, f"Esc in {field} left the screen"
    assert not isinstance(app.focused, Input | TextArea), f"Esc kept the focus in {field}"
    assert app.focused is main_widget(screen)


async def leave_and_press_help(app: FluxLoopApp, pilot: Any, field: Input | TextArea) -> None:
    """Leave ``field`` with Esc, press `?`: help opens and the field is untouched."""
    screen = app.screen
    before = typed_text(field)
    await leave(app, pilot, field)
    await pilot.press("question_mark")
    await pilot.pause()
    assert isinstance(app.screen, HelpScreen), f"`?` after Esc in {field} did not open help"
    assert typed_text(field) == before
    await pilot.press("escape")
    await pilot.pause()
    assert app.screen is screen


@pytest.mark.parametrize("screen", list(FIELD_SCREENS))
def test_escape_leaves_every_field_of_a_screen(project: Path, screen: str) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot)
            for key in FIELD_SCREENS[screen]:
                await pilot.press(key)
                await settle(pilot)
            shown = set(app.screen.focus_chain)
            fields = [f for f in app.screen.query("Input, TextArea") if f in shown]
            assert fields, f"no field shown on {screen}"
            for field in fields:
                assert isinstance(field, Input | TextArea)
                await leave(app, pilot, field)
            # Opening help and coming back is slow on the config form: once per screen.
            await leave_and_press_help(app, pilot, fields[0])

    asyncio.run(run())


def test_escape_leaves_the_raw_editor_after_typing_and_app_keys_act(project: Path) -> None:
    """The report: `e`, `x`, `p`, `?` typed into setting.yaml after Esc. Now Esc leaves the
    editor (the edit stays, unsaved) and `e` opens the experiments screen; Tab goes back."""

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("o", "y")
            await settle(pilot)
            editor = app.screen.query_one("#raw-text", TextArea)
            assert app.focused is editor
            await pilot.press("#", " ", "n", "o", "t", "e", "escape")
            await pilot.pause()
            assert app.focused is None
            assert editor.text.startswith("# note")
            await pilot.press("tab")
            await pilot.pause()
            assert app.focused is editor
            await pilot.press("escape", "p")
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)
            setting = (project / "setting.yaml").read_text(encoding="utf-8")
            assert "# note" not in setting  # leaving is not saving

    asyncio.run(run())


def test_escape_in_a_dialog_field_still_closes_the_dialog(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("p", "n", "a")
            await settle(pilot)
            assert isinstance(app.screen, NewProjectScreen)
            assert isinstance(app.focused, Input)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)

    asyncio.run(run())
