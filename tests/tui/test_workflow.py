"""The whole workflow with the keyboard, on an empty temp workspace: create a project, edit
and save its config, inspect a recording, generate inputs, run an experiment to the end,
stop another mid-run, and open the results."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from textual.widgets import DataTable, Input, Select
from tui_helpers import settle, wait_until

from fluxloop_core.inputs import load_inputs_file
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.screens.config import ConfigScreen
from fluxloop_tui.screens.experiments import ExperimentsScreen, RunsScreen
from fluxloop_tui.screens.generate import GenerateScreen
from fluxloop_tui.screens.projects import NewProjectScreen, ProjectsScreen
from fluxloop_tui.screens.recording import RecordingScreen
from fluxloop_tui.screens.run import ConfirmStop, RunScreen
from fluxloop_tui.widgets.call_list import CallList

TARGET = "examples.simple_agent:run"
# Slow enough that 300 runs take 30 s: the stop always lands mid-run, however long the
# keys take to arrive.
SLOW_AGENT = "import time\n\ndef run(text):\n    time.sleep(0.2)\n    return text.upper()\n"


def recorded(iteration: int, text: str) -> str:
    line = {
        "_version": "1",
        "iteration": iteration,
        "target": TARGET,
        "kwargs": {"input_text": text},
        "timestamp": f"2025-09-30T14:00:0{iteration}+00:00",
    }
    return json.dumps(line) + "\n"


async def set_field(pilot: Any, key: str, text: str) -> None:
    field = pilot.app.screen.query_one(f"#field-{key.replace('.', '--')}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


def test_the_whole_workflow_from_the_keyboard(tmp_path: Path) -> None:
    project = tmp_path / "fluxloop" / "shop-bot"

    async def run() -> None:
        app = FluxLoopApp(None, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            # 1. Create a project and open it.
            await settle(pilot)
            assert isinstance(app.screen, ProjectsScreen)
            await pilot.press("n")
            await pilot.pause()
            assert isinstance(app.screen, NewProjectScreen)
            await pilot.press(*"shop-bot", "enter")
            await settle(pilot)
            assert (project / "setting.yaml").is_file()
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, ExperimentsScreen) and app.project_dir == project

            # 2. Edit and save the config: offline, one iteration, replay's recording file.
            await pilot.press("o")
            await settle(pilot)
            assert isinstance(app.screen, ConfigScreen)
            await set_field(pilot, "iterations", "1")
            collector = app.screen.query_one("#field-collector--enabled", Select)
            collector.focus()
            await pilot.press("enter", "down", "enter")  # true -> false
            await pilot.pause()
            assert collector.value == "false"
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not app.screen.unsaved
            text = (project / "setting.yaml").read_text()
            assert "iterations: 1\n" in text and "# " in text  # comments kept

            # 3. Inspect a recording.
            (project / "recordings").mkdir(exist_ok=True)
            (project / "recordings" / "args.jsonl").write_text(
                recorded(0, "where is my order") + "not json\n" + recorded(1, "refund please")
            )
            await pilot.press("escape", "r")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, RecordingScreen)
            calls = screen.query_one(CallList)
            assert calls.row_count == 3
            assert "invalid" in calls.row_text(calls.line_at(1)).plain
            # The scaffold's override path (data.content) is not in these calls: pick theirs.
            await pilot.press("enter", "down", "s")  # to the tree, on input_text, set it
            await pilot.pause()
            assert 'override_param_path: "input_text"' in (project / "setting.yaml").read_text()

            # 4. Generate inputs from it and save them.
            await pilot.press("G")
            await settle(pilot)
            assert isinstance(app.screen, GenerateScreen)
            bases = app.screen.query_one("#gen-table", DataTable)
            assert bases.row_count == 2
            await pilot.press("ctrl+g")
            await settle(pilot)
            generated = app.screen.result
            assert generated is not None and len(generated.inputs_file.inputs) == 6
            await pilot.press("ctrl+s")
            await pilot.pause()
            saved = load_inputs_file(project / "inputs" / "generated.yaml")
            assert len(saved.inputs) == 6

            # ... and point the config at them.
            await pilot.press("o")
            await settle(pilot)
            await set_field(pilot, "inputs_file", "inputs/generated.yaml")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert 'inputs_file: "inputs/generated.yaml"' in (project / "setting.yaml").read_text()

            # 5. Run an experiment to completion.
            await pilot.press("escape", "x")
            await pilot.pause()
            assert isinstance(app.screen, RunScreen)
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            first = app.session
            assert first is not None and first.result is not None
            assert first.result.summary.results.total_runs == 6
            assert first.result.summary.results.successful == 6

            # 6. Start another, slower one and stop it mid-run.
            (project / "examples" / "simple_agent.py").write_text(SLOW_AGENT)
            # table → collector → executor → parallel runs → iterations
            await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab")
            assert app.focused is app.screen.query_one("#iterations")
            await pilot.press(*"50", "ctrl+s")
            await wait_until(pilot, lambda: app.session is not first)
            second = app.session
            assert second is not None
            await wait_until(pilot, lambda: second.state.done >= 3)
            await pilot.press("ctrl+x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmStop)
            await pilot.press("y")
            await wait_until(pilot, lambda: not second.running)
            assert second.result is not None and second.result.summary.interrupted
            stopped = second.result.summary.results.total_runs
            assert 3 <= stopped < 300
            outputs = [
                json.loads(line)["output"]
                for line in (second.result.experiment_dir / "traces.jsonl").read_text().splitlines()
            ]
            assert len(outputs) == stopped and all(o == o.upper() for o in outputs)

            # 7. Open the results: both experiments, newest first, and the stopped one's runs.
            await pilot.press("e")
            await settle(pilot)
            experiments = app.screen.query_one(DataTable)
            assert experiments.row_count == 2
            assert "interrupted" in " ".join(str(c) for c in experiments.get_row_at(0))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, RunsScreen)
            assert app.screen.query_one(DataTable).row_count == stopped

    asyncio.run(run())
