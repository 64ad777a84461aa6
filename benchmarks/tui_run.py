"""The run screen on a 10,000-run experiment (1 ms a run): does the UI stay responsive,
and what does watching cost?

Beside a baseline in the same run: the same experiment through ``run_experiment`` with no
UI. While the TUI's experiment runs, the UI's event loop is sampled (how late a 10 ms sleep
wakes: the wait a key press would see), and now and then the help screen is opened and
closed by keys and timed; the bar is that the UI never stalls.
Headless (``App.run_test``) at 80×24. Run: ``python benchmarks/tui_run.py [--runs 10000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.config.loader import load_config
from fluxloop_core.runner.experiment import RunOptions, run_experiment
from fluxloop_core.scaffold import create_project
from fluxloop_tui.app import FluxLoopApp
from fluxloop_tui.screens.help import HelpScreen

INPUTS = 10


def make_project(root: Path, runs: int) -> Path:
    """A scaffolded project whose trivial agent runs ``runs`` times."""
    project = create_project(root, "bench")
    # 1 ms of I/O a run: long enough to watch, short enough that the UI's share shows.
    (project / "examples" / "simple_agent.py").write_text(
        'import time\n\ndef run(text):\n    time.sleep(0.001)\n    return f"Processed: {text}"\n'
    )
    settings = {
        "iterations": runs // INPUTS,
        "parallel_runs": 4,
        "collector.enabled": False,
        "base_inputs": [{"input": f"hello {i}"} for i in range(INPUTS)],
    }
    update_config_values(project / "setting.yaml", settings)
    return project


def without_ui(project: Path) -> float:
    """Seconds for the experiment with no UI."""
    started = time.perf_counter()
    run_experiment(load_config(project / "setting.yaml"), RunOptions(use_collector=False))
    return time.perf_counter() - started


async def with_ui(project: Path) -> tuple[float, list[float], list[float], int]:
    """Seconds for the experiment from the run screen, the UI loop's lags, key round trips
    and the runs done."""
    app = FluxLoopApp(project, project.parent.parent)
    lags: list[float] = []
    round_trips: list[float] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("x")
        await pilot.pause()
        started = time.perf_counter()
        await pilot.press("ctrl+s")
        while app.session is None or app.session.running:
            # How late a 10 ms sleep wakes up: what a key press waits before it is handled.
            tick = time.perf_counter()
            await asyncio.sleep(0.01)
            lags.append(time.perf_counter() - tick - 0.01)
            if len(lags) % 20 == 0:
                # A key as the terminal would send it, until its screen is up and drawn.
                # (Not Pilot.press: it waits for the whole process to go idle.)
                tick = time.perf_counter()
                app.simulate_key("question_mark")
                while not (isinstance(app.screen, HelpScreen) and app.screen.is_mounted):
                    await asyncio.sleep(0.001)
                app.simulate_key("escape")
                while isinstance(app.screen, HelpScreen):
                    await asyncio.sleep(0.001)
                round_trips.append(time.perf_counter() - tick)
        elapsed = time.perf_counter() - started
        assert app.session.result is not None
        done = app.session.result.summary.results.total_runs
    return elapsed, lags, round_trips, done


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as root:
        project = make_project(Path(root), args.runs)
        baseline = without_ui(project)
        elapsed, lags, trips, done = asyncio.run(with_ui(project))
    print(f"experiment: {done:,} runs of 1 ms (sleep), parallel_runs 4")
    print(f"  without a UI (run_experiment)        {baseline:6.2f} s")
    print(f"  from the TUI's run screen            {elapsed:6.2f} s  ({elapsed / baseline:.2f}x)")
    for label, samples in (("UI loop lag", lags), ("help opened and closed by keys", trips)):
        if samples:
            print(
                f"  {label:<36} {len(samples)} samples: median "
                f"{statistics.median(samples) * 1000:.0f} ms, worst {max(samples) * 1000:.0f} ms"
            )
    verdict = "PASS" if lags and trips and max(lags) < 0.1 and max(trips) < 0.2 else "FAIL"
    print(
        "bar: the UI never stalls while it runs (worst lag < 100 ms, help open+close "
        f"< 200 ms) → {verdict}"
    )


if __name__ == "__main__":
    main()
