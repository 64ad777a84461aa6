"""The recording inspector on a 100,000-line recording: first paint, scrolling, filtering.

Bar (issue): the list of a 100,000-line file shows in ≤ 0.5 s and scrolls without pauses.
Headless (``App.run_test``) at 120×36, on the demo project with its recording replaced.
Run: ``python benchmarks/tui_recording.py [--lines 100000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import cast

from textual.geometry import Region
from textual.pilot import Pilot

from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.demo import build_demo_workspace
from fluxloop_tui.screens.recording import RecordingScreen
from fluxloop_tui.widgets.call_list import CallList

BAR_S = 0.5
PAGES = 50


def write_recording(path: Path, lines: int) -> int:
    """``lines`` recorded calls (every 1,000th line broken); returns the file's size."""
    with path.open("w", encoding="utf-8") as handle:
        for i in range(lines):
            if i % 1000 == 999:
                handle.write('{"_version": "1", "iteration": \n')
                continue
            call = {
                "_version": "1",
                "iteration": i,
                "target": "examples.replay_agent:MessageHandler.handle_message",
                "kwargs": {
                    "connection_id": f"conn-{i}",
                    "data": {
                        "content": f"message number {i}",
                        "messages": [{"role": "user", "content": f"message number {i}"}],
                    },
                    "send_message_callback": "<builtin:collector.send>",
                },
                "timestamp": f"2025-09-30T14:{i // 60 % 60:02d}:{i % 60:02d}+00:00",
            }
            handle.write(json.dumps(call) + "\n")
    return path.stat().st_size


async def wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.perf_counter() + timeout
    while not callable(condition) or not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError
        await asyncio.sleep(0.001)


async def measure(project: Path) -> dict[str, float]:
    app = FluxLoopApp(project, project.parent.parent)
    figures: dict[str, float] = {}
    async with app.run_test(size=(120, 36)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = RecordingScreen()
        start = time.perf_counter()
        app.push_screen(screen)
        await wait_for(lambda: screen.is_mounted and screen.query(CallList))
        calls = screen.query_one(CallList)
        await wait_for(lambda: calls.first_paint is not None)
        assert calls.first_paint is not None
        figures["first paint"] = calls.first_paint - start
        await wait_for(lambda: screen.index is not None and screen.index.complete)
        figures["index complete"] = time.perf_counter() - start
        figures["lines"] = float(calls.row_count)
        await app.workers.wait_for_complete()
        await pilot.pause()
        figures.update(await scroll(pilot, calls))
        start = time.perf_counter()
        screen.needle = "number 4242"  # what typing it in the filter input does
        screen.refilter()
        await wait_for(lambda: not screen.filtering)
        figures["filter"] = time.perf_counter() - start
        figures["matches"] = float(calls.row_count)
    return figures


async def scroll(pilot: Pilot[None], calls: CallList) -> dict[str, float]:
    """Paging through the list two ways.

    Work: PAGES page-downs, each followed by rendering the rows now visible (new lines read
    and parsed) and rebuilding the kwargs tree; what a frame costs the app. Round trip:
    PAGES page-down key presses through Pilot, each waited for; this includes Pilot's own
    waits, so a DataTable's round trip is printed beside it as the floor.
    """
    screen = cast(RecordingScreen, calls.screen)
    calls.focus()
    await pilot.pause()
    work = []
    for _ in range(PAGES):
        start = time.perf_counter()
        calls.action_page(1)
        calls.render_lines(Region(0, 0, calls.size.width, calls.size.height))
        line = calls.current_line()
        screen.show_item(line, calls.item(line) if line is not None else None)
        work.append(time.perf_counter() - start)
    await pilot.pause()
    trips = []
    for _ in range(PAGES):
        start = time.perf_counter()
        await pilot.press("pagedown")
        trips.append(time.perf_counter() - start)
    return {
        "work median": statistics.median(work),
        "work worst": max(work),
        "trip median": statistics.median(trips),
        "trip worst": max(trips),
        "row": float(calls.cursor),
    }


async def datatable_trip(project: Path) -> float:
    """Median Pilot round trip of a page-down on a 1,000-row DataTable (the floor)."""
    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    class Table(App[None]):
        def compose(self) -> ComposeResult:
            table: DataTable[str] = DataTable()
            table.add_columns("line", "text")
            for i in range(1000):
                table.add_row(str(i), f"row {i}")
            yield table

    app = Table()
    trips = []
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for _ in range(PAGES):
            start = time.perf_counter()
            await pilot.press("pagedown")
            trips.append(time.perf_counter() - start)
    return statistics.median(trips)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        project = build_demo_workspace(Path(root))
        size = write_recording(project / "recordings" / "args.jsonl", args.lines)
        figures = asyncio.run(measure(project))
        floor = asyncio.run(datatable_trip(project))
    print(f"recording: {args.lines:,} lines, {size / 1e6:.1f} MB (headless, 120×36)")
    print(f"  {'first paint of the list':32} {figures['first paint'] * 1000:8.1f} ms")
    print(f"  {'whole file indexed':32} {figures['index complete'] * 1000:8.1f} ms")
    print(f"  {'lines listed':32} {figures['lines']:8,.0f}")
    print(
        f"  {'one page: scroll, render, tree':32} median "
        f"{figures['work median'] * 1000:6.2f} ms, worst {figures['work worst'] * 1000:6.2f} ms"
    )
    print(
        f"  {'one page-down via Pilot':32} median "
        f"{figures['trip median'] * 1000:6.2f} ms, worst {figures['trip worst'] * 1000:6.2f} ms"
    )
    print(f"  {'  same on a DataTable (floor)':32} median {floor * 1000:6.2f} ms")
    print(f"  {f'after {2 * PAGES} pages, at row':32} {figures['row']:8,.0f}")
    print(f"  {'filter scan (one value)':32} {figures['filter'] * 1000:8.1f} ms")
    print(f"  {'  matching lines':32} {figures['matches']:8,.0f}")
    verdict = "PASS" if figures["first paint"] <= BAR_S else "FAIL"
    print(f"bar: first paint ≤ {BAR_S} s → {figures['first paint']:.3f} s  {verdict}")


if __name__ == "__main__":
    main()
