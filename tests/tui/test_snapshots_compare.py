"""Pictures of the comparison: two experiments marked, the per-input comparison, and one
input's outputs side by side, from the demo workspace with its two support experiments."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tui_helpers import make_app, pressing

from fluxloop_tui.demo_compare import add_compare_experiments

MARKED = ["down", "space", "down", "space"]
SCREENS: dict[str, list[str]] = {
    "experiments_marked": MARKED,
    "compare": [*MARKED, "c"],
    "compare_outputs": [*MARKED, "c", "enter"],
}


@pytest.mark.parametrize("size", [(80, 24), (120, 36)], ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("screen", sorted(SCREENS))
def test_compare_screen(
    snap_compare: Any, project: Path, screen: str, size: tuple[int, int]
) -> None:
    add_compare_experiments(project)
    app = make_app(project)

    assert snap_compare(app, terminal_size=size, run_before=pressing(SCREENS[screen]))
