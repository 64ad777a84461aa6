"""Regenerate screenshots/*.svg: every TUI screen at 120×36 on the demo workspace.

python screenshots/generate.py
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Callable
from pathlib import Path

from textual.screen import Screen

from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.demo import build_demo_workspace
from fluxloop_tui.demo_compare import add_compare_experiments
from fluxloop_tui.demo_conversation import add_conversation_experiment, conversations_in_progress
from fluxloop_tui.screens.config import ConflictScreen
from fluxloop_tui.screens.run import ConfirmStop, RunScreen

HERE = Path(__file__).parent
SIZE = (120, 36)
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
    "recording": ["r"],
    "generate": ["i", "ctrl+g"],
    "run": ["x"],
    "help": ["question_mark"],
}

# The comparison, on the demo workspace with two comparable experiments added.
MARKED = ["down", "space", "down", "space"]
COMPARE_SCREENS: dict[str, list[str]] = {
    "experiments_marked": MARKED,
    "compare": [*MARKED, "c"],
    "compare_outputs": [*MARKED, "c", "enter"],
}

# A conversation's run detail, on the demo workspace with a conversations experiment added.
CONVERSATION_SCREENS: dict[str, list[str]] = {
    "run_detail_conversation": ["down", "enter", "enter"],
}


# Dialogs that only show mid-action (a running experiment, an outside edit): opened directly.
DIALOGS: dict[str, tuple[str, Callable[[], Screen[bool]]]] = {
    "run_stop": ("x", lambda: ConfirmStop(already_stopping=False)),
    "config_conflict": ("o", lambda: ConflictScreen("setting.yaml")),
}


async def shoot(
    project: Path,
    name: str,
    keys: list[str],
    dialog: Callable[[], Screen[bool]] | None = None,
    running: bool = False,
) -> None:
    """Open the app, press ``keys`` (then open ``dialog``; with ``running``, show three
    conversations in progress), save screenshots/<name>.svg."""
    app = FluxLoopApp(project, project.parent.parent)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        if dialog is not None:
            app.push_screen(dialog())
            await pilot.pause()
        if running:
            session = conversations_in_progress(app, project / "experiments" / "exp")
            assert isinstance(app.screen, RunScreen)
            app.screen.refresh_view()
            await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))
        if running:
            session.running = False  # painted as running; nothing to stop at exit


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        project = build_demo_workspace(Path(root))
        for name, keys in SCREENS.items():
            asyncio.run(shoot(project, name, keys))
            print(f"screenshots/{name}.svg")
        for name, (key, dialog) in DIALOGS.items():
            asyncio.run(shoot(project, name, [key], dialog))
            print(f"screenshots/{name}.svg")
    with tempfile.TemporaryDirectory() as root:
        project = build_demo_workspace(Path(root))
        add_compare_experiments(project)
        for name, keys in COMPARE_SCREENS.items():
            asyncio.run(shoot(project, name, keys))
            print(f"screenshots/{name}.svg")
    with tempfile.TemporaryDirectory() as root:
        project = build_demo_workspace(Path(root))
        add_conversation_experiment(project)
        for name, keys in CONVERSATION_SCREENS.items():
            asyncio.run(shoot(project, name, keys))
            print(f"screenshots/{name}.svg")
        asyncio.run(shoot(project, "run_conversations", ["x"], running=True))
        print("screenshots/run_conversations.svg")


if __name__ == "__main__":
    main()
