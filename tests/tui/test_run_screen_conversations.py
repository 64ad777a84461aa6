"""The run screen while conversations run: each one in progress with its turns so far."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.widgets import Static
from tui_helpers import make_app, settle

from fluxloop_core.runner.events import RunFailed, RunFinished, TurnFinished
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.demo_conversation import conversations_in_progress
from fluxloop_tui.screens.run import RunScreen


def status(app: FluxLoopApp) -> str:
    return str(app.screen.query_one("#run-status", Static).render())


def test_turns_in_progress_show_and_leave_when_their_conversation_ends(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, RunScreen)
            session = conversations_in_progress(app, project / "experiments" / "exp")
            app.screen.refresh_view()
            assert "turns: 0.0 3/6  1.0 1/6  2.0 2/6" in status(app).splitlines()[1]

            session.on_event(RunFinished("0.0", "a", 0, 5.0, 1, '"done"'))
            session.on_event(TurnFinished("1.0", 2, 6, "error"))
            session.on_event(RunFailed("1.0", "b", 0, 5.0, 1, "error", "boom"))
            app.screen.refresh_view()
            assert status(app).splitlines()[1] == "turns: 2.0 2/6"

            session.on_event(RunFinished("2.0", "c", 0, 5.0, 1, '"done"'))
            app.screen.refresh_view()
            assert "turns:" not in status(app)
            session.running = False  # lets the app quit without a worker to stop

    asyncio.run(run())


def test_snapshot_of_conversations_in_progress(snap_compare: Any, project: Path) -> None:
    app = make_app(project)

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        conversations_in_progress(pilot.app, project / "experiments" / "exp")
        pilot.app.screen.refresh_view()
        await pilot.pause()
        pilot.app.session.running = False  # painted as running; nothing to stop at exit

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)
