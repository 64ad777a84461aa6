"""Pictures of every screen at 80×24 and 120×36, from the fixed demo workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tui_helpers import pressing, settle

from fluxloop_tui.app import FluxLoopApp

SIZES = [(80, 24), (120, 36)]

SCREENS: dict[str, list[str]] = {
    "projects": ["p"],
    "new_project": ["p", "n", *"my-agent"],
    "experiments": [],
    "runs": ["enter"],
    "run_detail": ["enter", "f", "enter"],
    "evaluation": ["a"],
    "environment": ["v"],
    "config": ["o"],
    "config_raw": ["o", "y"],
    # Esc leaves the raw editor: `?` opens help instead of being typed into the file.
    "config_raw_escape": ["o", "y", "escape", "question_mark"],
    "recording": ["r"],
    "generate": ["i", "ctrl+g"],
    "run": ["x"],
    "help": ["question_mark"],
}


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_screen(snap_compare: Any, project: Path, screen: str, size: tuple[int, int]) -> None:
    app = FluxLoopApp(project, project.parent.parent)

    assert snap_compare(app, terminal_size=size, run_before=pressing(SCREENS[screen]))


@pytest.mark.parametrize("screen", ["runs", "run_detail", "recording", "evaluation"])
def test_screen_in_16_colours(snap_compare: Any, project: Path, screen: str) -> None:
    """The theme used in a 16-colour terminal: the terminal's own ANSI colours."""
    app = FluxLoopApp(project, project.parent.parent, ansi=True)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        assert pilot.app.theme == "ansi-dark"
        for key in SCREENS[screen]:
            await pilot.press(key)
            await settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("dialog", ["stop", "stop_at_once", "conflict"])
def test_dialog(snap_compare: Any, project: Path, dialog: str, size: tuple[int, int]) -> None:
    """The confirmations: stopping a run, and a config changed on disk meanwhile."""
    from fluxloop_tui.screens.config import ConflictScreen
    from fluxloop_tui.screens.run import ConfirmStop

    app = FluxLoopApp(project, project.parent.parent)
    screens: dict[str, Any] = {
        "stop": lambda: ConfirmStop(already_stopping=False),
        "stop_at_once": lambda: ConfirmStop(already_stopping=True),
        "conflict": lambda: ConflictScreen("setting.yaml"),
    }

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("x" if dialog.startswith("stop") else "o")
        await settle(pilot)
        pilot.app.push_screen(screens[dialog]())
        await settle(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)
