"""Pilot tests: run an experiment to the end, stop another mid-run, generate and save inputs."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, Input, SelectionList, Static
from tui_helpers import make_app, settle, wait_until

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.inputs import load_inputs_file
from fluxloop_core.scaffold import create_project
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.demo import DEMO_TARGET
from fluxloop_tui.screens.experiments import RunsScreen
from fluxloop_tui.screens.generate import GenerateScreen
from fluxloop_tui.screens.run import ConfirmStop, RunScreen

SLOW_AGENT = """
import time

def run(text):
    time.sleep(0.02)
    return f"slow {text}"
"""


def simple_project(tmp_path: Path, **settings: Any) -> Path:
    project = create_project(tmp_path, "simple-agent", template="simple")
    # Offline: the scaffold's collector would be tried otherwise.
    update_config_values(project / "setting.yaml", {"collector.enabled": False, **settings})
    return project


def traces(folder: Path) -> list[dict[str, Any]]:
    text = (folder / "traces.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def status_text(app: FluxLoopApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


def test_run_an_experiment_to_completion_and_open_its_results(tmp_path: Path) -> None:
    project = simple_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x")
            await pilot.pause()
            assert isinstance(app.screen, RunScreen)
            assert "iterations 3, parallel runs 2" in status_text(app, "#run-status")
            await pilot.click("#iterations")
            await pilot.press("2")
            await pilot.press("ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            await pilot.pause(0.5)
            assert app.session is not None and app.session.result is not None
            summary = app.session.result.summary
            assert summary.results.total_runs == 6 and summary.iterations == 2
            assert len(traces(app.session.result.experiment_dir)) == 6
            assert status_text(app, "#run-status").startswith("Finished: 6/6 runs  6 ok  0 failed")
            assert app.screen.query_one("#latest", DataTable).row_count == 6
            await pilot.press("ctrl+o")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, RunsScreen)
            assert app.screen.query_one(DataTable).row_count == 6

    asyncio.run(run())


def test_stop_mid_run_asks_first_and_keeps_finished_runs(tmp_path: Path) -> None:
    project = simple_project(tmp_path, iterations=200, parallel_runs=1)
    (project / "examples" / "simple_agent.py").write_text(SLOW_AGENT)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x", "ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and app.session.state.done >= 3)
            session = app.session
            assert session is not None
            await pilot.press("ctrl+x")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmStop)
            await pilot.press("n")  # keep running
            await pilot.pause()
            assert isinstance(app.screen, RunScreen) and not session.token.cancelled
            await pilot.press("ctrl+x")
            await pilot.pause()
            await pilot.press("y")
            await wait_until(pilot, lambda: not session.running)
            await pilot.pause(0.5)
            assert session.result is not None
            summary = session.result.summary
            assert summary.interrupted is True
            done = summary.results.total_runs
            assert 3 <= done < 600
            assert len(traces(session.result.experiment_dir)) == done
            assert status_text(app, "#run-status").startswith(f"Interrupted: {done}/600 runs")

    asyncio.run(run())


def test_bad_run_options_start_nothing(tmp_path: Path) -> None:
    project = simple_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x")
            await pilot.click("#parallel")
            await pilot.press("0", "ctrl+s")
            await pilot.pause()
            assert app.session is None
            assert any("Parallel runs must be at least 1" in n.message for n in app._notifications)

    asyncio.run(run())


def test_generate_review_and_save_inputs(tmp_path: Path) -> None:
    project = simple_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("i")
            await app.workers.wait_for_complete()
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, GenerateScreen)
            table = screen.query_one("#gen-table", DataTable)
            assert table.row_count == 3  # the three base_inputs
            assert [str(cell) for cell in table.get_row_at(0)][1] == "Hello world"
            await pilot.click("#limit")
            await pilot.press("4", "ctrl+g")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert screen.result is not None and len(screen.result.inputs_file.inputs) == 4
            assert table.row_count == 4
            assert status_text(app, "#gen-status").startswith("4 of 4 inputs")
            await pilot.press("ctrl+s")
            await pilot.pause()
            saved = load_inputs_file(project / "inputs" / "generated.yaml")
            assert [i.input for i in saved.inputs] == [
                i.input for i in screen.result.inputs_file.inputs
            ]
            assert saved.mode == "deterministic"

    asyncio.run(run())


def test_generate_refuses_no_strategy(tmp_path: Path) -> None:
    project = simple_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("i")
            await app.workers.wait_for_complete()
            screen = app.screen
            screen.query_one("#strategies", SelectionList).deselect_all()
            await pilot.press("ctrl+g")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(screen, GenerateScreen) and screen.result is None
            assert any("no strategies" in n.message for n in app._notifications)
            assert not (project / "inputs" / "generated.yaml").exists()

    asyncio.run(run())


def test_generate_from_a_recording_uses_its_calls(project: Path) -> None:
    update_config_values(project / "setting.yaml", {"runner.target": DEMO_TARGET})

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await app.workers.wait_for_complete()
            app.action_generate(project / "recordings" / "args.jsonl")
            await app.workers.wait_for_complete()
            await pilot.pause()
            table = app.screen.query_one("#gen-table", DataTable)
            texts = [[str(cell) for cell in table.get_row_at(i)][1] for i in range(table.row_count)]
            assert texts == ["What is my balance?", "Cancel my order 1234", "Où est mon colis ?"]
            assert "1 broken recording lines skipped" in status_text(app, "#gen-table-title")
            assert app.screen.query_one("#limit", Input).value == ""

    asyncio.run(run())


def test_the_palette_offers_every_screen_action(tmp_path: Path) -> None:
    project = simple_project(tmp_path)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("i")
            await app.workers.wait_for_complete()
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert {"Generate: Generate", "Generate: Save", "Generate: Bases"} <= titles
            await pilot.press("x", "ctrl+p", *"Run: Start")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            assert app.session is not None and app.session.result is not None
            assert app.session.result.summary.results.total_runs == 9

    asyncio.run(run())


def test_agent_text_that_looks_like_markup_is_shown_as_it_is(tmp_path: Path) -> None:
    project = simple_project(tmp_path, iterations=1)
    (project / "examples" / "simple_agent.py").write_text(
        "def run(text):\n"
        "    if text == 'Test message':\n"
        "        raise ValueError('bad [/INST] token')\n"
        "    return f'wrote [/tmp/out] [bold]{text}'\n"
    )

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("x", "ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            await pilot.pause(0.5)
            latest = app.screen.query_one("#latest", DataTable)
            shown = " ".join(
                str(cell) for i in range(latest.row_count) for cell in latest.get_row_at(i)
            )
            assert "bad [/INST] token" in status_text(app, "#run-errors")
            assert "bad [/INST] token" in shown
            await pilot.press("ctrl+o")
            await settle(pilot)
            runs = app.screen.query_one(DataTable)
            outputs = [str(runs.get_row_at(i)[5]) for i in range(runs.row_count)]
            assert any("wrote [/tmp/out] [bold]" in text for text in outputs)

    asyncio.run(run())


def test_a_base_input_that_looks_like_markup_is_listed_as_it_is(tmp_path: Path) -> None:
    project = simple_project(tmp_path)
    text = (project / "setting.yaml").read_text().replace('"Hello world"', '"[/INST] Hello"')
    (project / "setting.yaml").write_text(text)

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("i")
            await settle(pilot)
            table = app.screen.query_one("#gen-table", DataTable)
            assert str(table.get_row_at(0)[1]) == "[/INST] Hello"

    asyncio.run(run())


def test_the_run_screen_shows_the_total_before_the_first_run_ends(tmp_path: Path) -> None:
    project = simple_project(tmp_path, parallel_runs=1)
    (project / "examples" / "simple_agent.py").write_text(
        "import time\n\ndef run(text):\n    time.sleep(1.5)\n    return text\n"
    )

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x", "ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and app.session.state.total)
            await pilot.pause(0.6)
            session = app.session
            assert session is not None and session.state.done == 0
            assert "0/9 runs" in status_text(app, "#run-status")
            session.stop()
            session.stop()
            await wait_until(pilot, lambda: not session.running)

    asyncio.run(run())


def test_a_failing_start_is_reported_on_the_screen(tmp_path: Path) -> None:
    project = simple_project(tmp_path)
    (project / "results").write_text("a file where the folder should go\n")
    update_config_values(project / "setting.yaml", {"output_directory": "results"})

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("x", "ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            await pilot.pause(0.5)
            assert "output_directory" in status_text(app, "#run-status")
            assert isinstance(app.screen, RunScreen)

    asyncio.run(run())


def test_generate_with_an_llm_shows_requests_and_cache_hits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from chat_server import ChatServer

    chat = ChatServer()
    monkeypatch.setenv("FLUXLOOP_LLM_API_KEY", "sk-local-test-1234")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    project = simple_project(
        tmp_path,
        **{
            "input_generation.mode": "llm",
            "input_generation.llm.enabled": True,
            "input_generation.llm.provider": "local",
            "input_generation.llm.model": "test-model",
            "input_generation.llm.base_url": chat.base_url,
        },
    )

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.press("i")
            await settle(pilot)
            await pilot.press("ctrl+g")
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, GenerateScreen) and screen.result is not None
            assert len(screen.result.inputs_file.inputs) == 9
            assert "requests, 0 cache hits" in status_text(app, "#gen-status")
            await pilot.press("ctrl+g")  # the same again: every answer from the cache
            await settle(pilot)
            assert "0 requests, 9 cache hits" in status_text(app, "#gen-status")

    try:
        asyncio.run(run())
    finally:
        chat.server.shutdown()
    assert chat.requests and all(
        headers["authorization"] == "Bearer sk-local-test-1234" for headers, _ in chat.requests
    )


def test_the_run_screen_shows_that_an_async_agent_blocked_the_loop(tmp_path: Path) -> None:
    """The runner's LoopBlocked warning is on the run screen, once, naming the agent."""
    project = simple_project(tmp_path, iterations=1, **{"runner.timeout_seconds": 0.2})
    (project / "examples" / "simple_agent.py").write_text(
        "import time\n\nasync def run(text):\n    time.sleep(0.6)\n    return text\n"
    )

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.press("x", "ctrl+s")
            await wait_until(pilot, lambda: app.session is not None and not app.session.running)
            await pilot.pause(0.5)
            shown = status_text(app, "#run-status")
            assert shown.startswith("Finished"), shown
            assert shown.count("warning: examples.simple_agent:run blocked the event loop") == 1

    asyncio.run(run())
