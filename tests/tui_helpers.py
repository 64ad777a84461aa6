"""What the TUI tests share: the app on a project, and waiting for it to catch up."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from fluxloop_tui.app import FluxLoopApp


def make_app(project: Path) -> FluxLoopApp:
    """The app on ``project``, its workspace being the folder that holds ``fluxloop/``."""
    return FluxLoopApp(project, project.parent.parent)


async def settle(pilot: Any) -> None:
    """Let the workers finish and the screen process what they posted."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Any, condition: Callable[[], object], seconds: float = 30) -> None:
    """Keep the app running until ``condition()`` holds; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await pilot.pause(0.05)


def pressing(keys: Sequence[str]) -> Callable[[Any], Awaitable[None]]:
    """A snapshot's ``run_before``: let the app settle, then press each of ``keys`` and let
    it settle after each."""

    async def run_before(pilot: Any) -> None:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)

    return run_before
