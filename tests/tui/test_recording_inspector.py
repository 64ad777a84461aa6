"""Pilot tests of the recording inspector on the demo recording (4 calls, 1 broken line)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input, Static, Tree
from textual.widgets.tree import TreeNode
from tui_helpers import make_app, settle

from fluxloop_tui.screens.recording import RecordingScreen
from fluxloop_tui.widgets.call_list import CallList


async def open_inspector(pilot: Pilot[None]) -> RecordingScreen:
    await settle(pilot)
    await pilot.press("r")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, RecordingScreen)
    return screen


def rows(calls: CallList) -> list[str]:
    return [calls.row_text(calls.line_at(row)).plain for row in range(calls.row_count)]


def labels(node: TreeNode[str]) -> list[str]:
    found = [str(node.label)]
    for child in node.children:
        found += labels(child)
    return found


def heading(screen: RecordingScreen) -> str:
    return str(screen.query_one("#rec-heading", Static).render())


def test_lists_calls_and_flags_the_invalid_line(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_inspector(pilot)
            calls = screen.query_one(CallList)
            listed = rows(calls)
            assert len(listed) == 5
            assert listed[0].split() == [
                "1",
                "0",
                "2025-09-30",
                "14:00:01",
                "examples.replay_agent:MessageHandler.handle_message",
            ]
            assert listed[2].startswith("      3  invalid: not valid JSON")
            assert "recordings/args.jsonl — 5 lines" in heading(screen)
            assert calls.first_paint is not None

    asyncio.run(run())


def test_tree_shows_kwargs_and_providers(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_inspector(pilot)
            tree = screen.query_one(Tree)
            shown = labels(tree.root)
            assert shown[0].startswith("line 1  iteration 0")
            assert 'content: "What is my balance?"' in shown
            assert "messages [2]" in shown
            assert any(
                s.startswith("send_message_callback") and s.endswith("→ builtin:collector.send")
                for s in shown
            )
            assert any(
                s.startswith("send_error_callback") and s.endswith("no provider") for s in shown
            )
            await pilot.press("down", "down")
            await pilot.pause()
            shown = labels(tree.root)
            assert shown[0] == "line 3: not a valid call"
            assert shown[1].startswith("not valid JSON")

    asyncio.run(run())


def test_filter_by_text_and_by_target(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_inspector(pilot)
            calls = screen.query_one(CallList)
            await pilot.press("slash", *"order")
            await settle(pilot)
            assert [r.split()[0] for r in rows(calls)] == ["2"]
            assert "1 matching" in heading(screen)
            screen.query_one("#rec-filter", Input).value = "où est"  # escaped in the file
            await settle(pilot)
            assert [r.split()[0] for r in rows(calls)] == ["4"]
            screen.query_one("#rec-filter", Input).value = ""
            await settle(pilot)
            assert calls.row_count == 5
            await pilot.press("escape", "t")  # only this call's target
            await settle(pilot)
            assert [r.split()[0] for r in rows(calls)] == ["1", "2", "4"]
            await pilot.press("t")
            await settle(pilot)
            assert calls.row_count == 5

    asyncio.run(run())


def test_jump_to_line(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_inspector(pilot)
            calls = screen.query_one(CallList)
            await pilot.press("g", "4", "enter")
            await settle(pilot)
            assert calls.current_line() == 3
            assert labels(screen.query_one(Tree).root)[0].startswith("line 4  iteration 2")
            assert screen.focused is calls
            await pilot.press("g", "9", "9", "enter")
            await settle(pilot)
            assert calls.current_line() == 3  # no such line: stays
            await pilot.press("g", "minus", "enter")  # the field takes a sign: not a line
            await settle(pilot)
            assert calls.current_line() == 3
            assert any("line number" in n.message for n in app._notifications)

    asyncio.run(run())


def test_o_saves_the_override_path_keeping_comments(project: Path) -> None:
    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            screen = await open_inspector(pilot)
            await pilot.press("enter")  # to the tree: root, connection_id, data, content, ...
            await pilot.press("down", "down", "down", "down")
            await pilot.pause()
            node = screen.query_one(Tree).cursor_node
            assert node is not None and node.data == "data.messages"
            await pilot.press("down", "down", "down")  # messages.0, role, content
            await pilot.pause()
            await pilot.press("s")
            await pilot.pause()

    asyncio.run(run())
    text = (project / "setting.yaml").read_text()
    assert 'override_param_path: "data.messages.0.content"' in text
    assert "# Map each recorded callable parameter to a provider" in text
    assert "# FluxLoop experiment configuration for demo-agent." in text


def test_generate_from_this_recording_opens_generation_seeded_with_it(project: Path) -> None:
    from fluxloop_tui.screens.generate import GenerateScreen

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await open_inspector(pilot)
            await pilot.press("G")
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert isinstance(app.screen, GenerateScreen)
            assert app.screen.from_recording == project / "recordings" / "args.jsonl"

    asyncio.run(run())


def test_a_file_over_a_megabyte_is_indexed_in_the_background(project: Path) -> None:
    line = (
        '{"_version": "1", "iteration": %d, "target": "m:f", "kwargs": {"text": "%s"}, '
        '"timestamp": "2025-09-30T14:00:00"}\n'
    )
    big = project / "recordings" / "big.jsonl"
    big.write_text("".join(line % (i, "x" * 300) for i in range(5000)) + "\n")

    async def run() -> None:
        app = make_app(project)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            screen = RecordingScreen(big)
            app.push_screen(screen)
            await settle(pilot)
            calls = screen.query_one(CallList)
            assert screen.index is not None and screen.index.complete
            assert calls.row_count == 5001
            await pilot.press("end")
            await pilot.pause()
            assert calls.row_text(calls.line_at(calls.cursor)).plain.endswith("(blank line)")
            await pilot.press("up", "pageup")
            await pilot.pause()
            assert calls.cursor < 4999 and "5,001 lines" in heading(screen)

    asyncio.run(run())
