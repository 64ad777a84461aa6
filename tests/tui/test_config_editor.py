"""Pilot tests of the config editor: form, validation, saves, raw YAML and outside edits."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from textual.widgets import Input, Static, TextArea
from tui_helpers import make_app, wait_until

from fluxloop_core.files import write_atomic
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.screens.config import ConfigScreen, ConflictScreen


async def open_editor(app: FluxLoopApp, pilot: Any) -> ConfigScreen:
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("o")
    await pilot.pause()
    assert isinstance(app.screen, ConfigScreen)
    return app.screen


def text_of(screen: ConfigScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def type_into(pilot: Any, screen: ConfigScreen, key: str, text: str) -> None:
    field = screen.query_one(f"#field-{key.replace('.', '--')}", Input)
    field.focus()
    field.value = ""
    await pilot.press(*text)
    await pilot.pause()


def test_form_shows_the_file_values(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            values = screen.form_values()
            assert values["runner.target"] == "examples.simple_agent:run"
            assert values["parallel_runs"] == "2"
            assert values["iterations"] == "3"
            assert values["runner.timeout_seconds"] == "300"
            assert values["runner.max_retries"] == "0"  # absent: the model's default
            assert values["input_generation.mode"] == "deterministic"
            assert values["input_generation.strategies"] == "rephrase, verbose, concise"
            assert values["replay_args.recording_file"] == "recordings/args.jsonl"
            assert values["collector.enabled"] == "true"
            assert "3 inputs" in text_of(screen, "#base-inputs")
            assert text_of(screen, "#callable-providers").startswith("callable_providers: ")
            assert "fluxloop/demo-agent/setting.yaml" in text_of(screen, "#config-title")
            assert not screen.unsaved

    asyncio.run(run())


def test_invalid_values_are_shown_beside_the_field_and_not_saved(project: Path) -> None:
    config = project / "setting.yaml"
    before = config.read_text()

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            await type_into(pilot, screen, "parallel_runs", "0")
            problem = text_of(screen, "#problem-parallel_runs")
            assert "greater than or equal to 1" in problem
            assert screen.query_one("#problem-parallel_runs").display
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert config.read_text() == before
            await type_into(pilot, screen, "parallel_runs", "abc")
            assert "must be a whole number" in text_of(screen, "#problem-parallel_runs")
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert config.read_text() == before
            await type_into(pilot, screen, "runner.target", "no-colon")
            assert "module.path:function" in text_of(screen, "#problem-runner--target")
            await type_into(pilot, screen, "parallel_runs", "2")
            assert text_of(screen, "#problem-parallel_runs") == ""
            assert not screen.query_one("#problem-parallel_runs").display

    asyncio.run(run())


def test_a_valid_edit_saves_only_the_changed_keys_keeping_comments(project: Path) -> None:
    config = project / "setting.yaml"
    before = config.read_text()

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            await type_into(pilot, screen, "parallel_runs", "4")
            await type_into(pilot, screen, "runner.timeout_seconds", "120")
            assert screen.unsaved
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert not screen.unsaved
            assert screen.form_values()["parallel_runs"] == "4"

    asyncio.run(run())
    expected = before.replace("parallel_runs: 2", "parallel_runs: 4").replace(
        "timeout_seconds: 300", "timeout_seconds: 120"
    )
    assert config.read_text() == expected


def test_raw_view_shows_errors_at_their_line_and_saves_only_valid_text(project: Path) -> None:
    config = project / "setting.yaml"
    before = config.read_text()
    line = before.splitlines().index("parallel_runs: 2")

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            await pilot.press("y")
            await pilot.pause()
            area = screen.query_one("#raw-text", TextArea)
            assert area.has_focus and area.text == before
            assert text_of(screen, "#raw-problems") == "valid"
            area.cursor_location = (line, 0)
            await pilot.press("end", "backspace", "0")
            await pilot.pause()
            problems = text_of(screen, "#raw-problems")
            assert f"line {line + 1}: parallel_runs: must be greater" in problems
            area.cursor_location = (0, 0)
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert config.read_text() == before  # refused
            assert area.cursor_location[0] == line  # jumped to the problem
            assert "parallel_runs: 0" in area.text  # buffer kept
            # Broken YAML: a syntax error with its line.
            await pilot.press("end", "enter", *"oops: [")
            await pilot.pause()
            assert "malformed YAML" in text_of(screen, "#raw-problems")
            assert "line " in text_of(screen, "#raw-problems")
            await pilot.press(*["backspace"] * 8)  # the line typed above, and its newline
            # Make it valid again and save.
            area.cursor_location = (line, 0)
            await pilot.press("end", "backspace", "5")
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert text_of(screen, "#raw-problems") == "valid", text_of(screen, "#raw-problems")
            await pilot.press("f2")
            await pilot.pause()
            assert screen.form_values()["parallel_runs"] == "5"

    asyncio.run(run())
    text = config.read_text()
    assert "parallel_runs: 5" in text
    assert text == before.replace("parallel_runs: 2", "parallel_runs: 5")
    assert text.startswith("# FluxLoop experiment configuration for demo-agent.")


def test_form_changes_are_carried_into_the_raw_view(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            await type_into(pilot, screen, "iterations", "9")
            await pilot.press("f2")
            await pilot.pause()
            area = screen.query_one("#raw-text", TextArea)
            assert "iterations: 9" in area.text and "# Each input is passed" in area.text
            await pilot.press("f2")  # unsaved YAML: stays in the raw view
            await pilot.pause()
            assert screen.raw_mode
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert "iterations: 3" in area.text
            await pilot.press("f2")
            await pilot.pause()
            assert not screen.raw_mode and screen.form_values()["iterations"] == "3"

    asyncio.run(run())


def test_an_outside_edit_reloads_the_form(project: Path) -> None:
    config = project / "setting.yaml"

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            assert screen.watcher is not None
            await wait_until(pilot, screen.watcher.ready.is_set, seconds=10)
            await pilot.pause(0.2)
            write_atomic(config, config.read_text().replace("iterations: 3", "iterations: 7"))
            await wait_until(pilot, lambda: screen.form_values()["iterations"] == "7", seconds=10)
            assert not screen.unsaved
            assert not isinstance(app.screen, ConflictScreen)

    asyncio.run(run())


def _outside_edit_with_unsaved_changes(project: Path, choice: str) -> dict[str, str]:
    config = project / "setting.yaml"
    result: dict[str, str] = {}

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 40)) as pilot:
            screen = await open_editor(app, pilot)
            assert screen.watcher is not None
            await wait_until(pilot, screen.watcher.ready.is_set, seconds=10)
            await type_into(pilot, screen, "parallel_runs", "6")
            await pilot.pause(0.2)
            config.write_text(config.read_text().replace("iterations: 3", "iterations: 7"))
            await wait_until(pilot, lambda: isinstance(app.screen, ConflictScreen), seconds=10)
            await pilot.press(choice)
            await pilot.pause()
            assert app.screen is screen
            result.update(screen.form_values())
            if choice == "k":
                await pilot.press("ctrl+s")
                await pilot.pause()

    asyncio.run(run())
    return result


def test_outside_edit_with_unsaved_changes_keep_mine(project: Path) -> None:
    values = _outside_edit_with_unsaved_changes(project, "k")
    assert values["parallel_runs"] == "6"
    text = (project / "setting.yaml").read_text()
    # Saving writes my changed key over their file: both edits survive.
    assert "parallel_runs: 6" in text and "iterations: 7" in text


def test_outside_edit_with_unsaved_changes_reload_theirs(project: Path) -> None:
    values = _outside_edit_with_unsaved_changes(project, "r")
    assert values["parallel_runs"] == "2" and values["iterations"] == "7"
    text = (project / "setting.yaml").read_text()
    assert "parallel_runs: 2" in text and "iterations: 7" in text
