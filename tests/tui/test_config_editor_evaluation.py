"""The config editor's evaluation section: the gate edited in the form, the lists of checks
summed up (they are edited in the raw YAML), saves that keep the checks as written."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.widgets import Input, Static
from tui_helpers import make_app, settle

from fluxloop_tui.screens.config import ConfigScreen


def test_the_gate_is_edited_in_the_form_and_the_checks_kept(project: Path) -> None:
    config = project / "setting.yaml"
    before = config.read_text()

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            await settle(pilot)
            await pilot.press("o")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, ConfigScreen)
            assert screen.form_values()["evaluation.gate.min_pass_rate"] == "0.9"
            summary = str(screen.query_one("#evaluation-checks", Static).render())
            assert summary == (
                "evaluation.checks: output_not_empty, not_contains, latency_under; "
                "evaluators: tone (llm_judge) (edit them in the raw YAML)"
            )
            field = screen.query_one("#field-evaluation--gate--min_pass_rate", Input)
            field.focus()
            field.value = ""
            await pilot.press(*"1.5")
            await pilot.pause()
            problem = str(screen.query_one("#problem-evaluation--gate--min_pass_rate").render())
            assert "less than or equal to 1" in problem
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert config.read_text() == before  # refused
            field.value = ""
            await pilot.press(*"0.75")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not screen.unsaved

    asyncio.run(run())
    assert config.read_text() == before.replace("min_pass_rate: 0.9", "min_pass_rate: 0.75")
