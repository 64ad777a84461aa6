"""Pictures of a conversation's run detail (the chat transcript), from the demo workspace
with its conversations experiment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tui_helpers import make_app, pressing

from fluxloop_tui.demo_conversation import add_conversation_experiment

SCREENS: dict[str, list[str]] = {
    "run_detail_conversation": ["down", "enter", "enter"],
    "run_detail_conversation_error": ["down", "enter", "down", "enter"],
}


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_conversation_screen(
    snap_compare: Any, project: Path, screen: str, size: tuple[int, int]
) -> None:
    add_conversation_experiment(project)
    app = make_app(project)

    assert snap_compare(app, terminal_size=size, run_before=pressing(SCREENS[screen]))
