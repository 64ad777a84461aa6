"""Regenerate screenshots/*.svg: every TUI screen at 120×36 on the demo workspace.

python screenshots/generate.py
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.demo import build_demo_workspace

HERE = Path(__file__).parent
SIZE = (120, 36)
SCREENS: dict[str, list[str]] = {
    "projects": ["p"],
    "new_project": ["p", "n", *"my-agent"],
    "experiments": [],
    "runs": ["enter"],
    "run_detail": ["enter", "f", "enter"],
    "environment": ["v"],
    "config": ["o"],
    "config_raw": ["o", "y"],
    "recording": ["r"],
    "generate": ["i", "ctrl+g"],
    "run": ["x"],
    "help": ["question_mark"],
}


async def shoot(project: Path, name: str, keys: list[str]) -> None:
    """Open the app, press ``keys``, wait for workers, save screenshots/<name>.svg."""
    app = FluxLoopApp(project, project.parent.parent)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await app.workers.wait_for_complete()
            await pilot.pause()
        app.save_screenshot(filename=f"{name}.svg", path=str(HERE))


def main() -> None:
    with tempfile.TemporaryDirectory() as root:
        project = build_demo_workspace(Path(root))
        for name, keys in SCREENS.items():
            asyncio.run(shoot(project, name, keys))
            print(f"screenshots/{name}.svg")


if __name__ == "__main__":
    main()
