"""An async agent that blocks the event loop (time.sleep in `async def`) cannot be timed
out: the runner says so, once per experiment, naming the agent, as an event that the CLI
and the TUI render."""

from __future__ import annotations

from typing import Any

import pytest

from fluxloop_core.runner.events import LoopBlocked, RunnerEvent
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py

TIMEOUT = 0.2
BLOCK = 0.6  # time.sleep holds the loop at least this long: past TIMEOUT on any machine

# Agents whose "slow" inputs block the loop past TIMEOUT in different places.
BLOCKING_AGENTS: dict[str, tuple[str, str]] = {
    "then returns": (
        "agent:run",
        f"""
        import time

        async def run(text):
            if text.startswith("slow"):
                time.sleep({BLOCK})
            return text
        """,
    ),
    "then awaits": (
        "agent:run",
        f"""
        import asyncio, time

        async def run(text):
            if text.startswith("slow"):
                time.sleep({BLOCK})
                await asyncio.sleep(0)
            return text
        """,
    ),
    "after an await, in a method": (
        "agent:Agent.handle",
        f"""
        import asyncio, time

        class Agent:
            async def handle(self, text):
                await asyncio.sleep(0)
                if text.startswith("slow"):
                    time.sleep({BLOCK})
                return text
        """,
    ),
    "in an async generator": (
        "agent:run",
        f"""
        import time

        async def run(text):
            yield "first"
            if text.startswith("slow"):
                time.sleep({BLOCK})
            yield text
        """,
    ),
    "in a coroutine a sync def returns": (
        "agent:run",
        f"""
        import time

        async def _work(text):
            if text.startswith("slow"):
                time.sleep({BLOCK})
            return text

        def run(text):
            return _work(text)
        """,
    ),
}


def setting(
    target: str, timeout: float = TIMEOUT, inputs: str = '["slow 1", "ok", "slow 2"]'
) -> str:
    return (
        f'name: loop\nrunner:\n  target: "{target}"\n  timeout_seconds: {timeout}\n'
        f"parallel_runs: 3\nbase_inputs: {inputs}\n"
    )


def run_collecting(project: Project, text: str) -> tuple[Any, list[RunnerEvent]]:
    events: list[RunnerEvent] = []
    result = run_experiment(
        project.config(text), RunOptions(use_collector=False), on_event=events.append
    )
    return result, events


@pytest.mark.parametrize("where", list(BLOCKING_AGENTS))
def test_a_blocking_async_agent_is_warned_about_once_naming_it(
    project: Project, where: str
) -> None:
    target, body = BLOCKING_AGENTS[where]
    project.write("agent.py", body)

    result, events = run_collecting(project, setting(target))

    warnings = [e for e in events if isinstance(e, LoopBlocked)]
    assert len(warnings) == 1, warnings  # two runs blocked: one warning
    (warning,) = warnings
    assert warning.target == target
    assert warning.timeout_seconds == TIMEOUT
    assert warning.held_seconds >= BLOCK
    assert warning.run_id in {"0.0", "2.0"}  # a slow input, not "ok"
    assert target in warning.describe() and "timeout_seconds=0.2" in warning.describe()
    # Every run is still on disk, whatever the blocking did to its status.
    assert result.summary.results.total_runs == 3
    assert len(project.traces(result.experiment_dir)) == 3


@pytest.mark.parametrize(
    "body",
    [
        # Past its timeout, but giving the loop back: timed out, not blocking.
        """
        import asyncio

        async def run(text):
            if text.startswith("slow"):
                await asyncio.sleep(30)
            return text
        """,
        # Blocking in a sync def: it runs in a thread and is timed out there.
        """
        import time

        def run(text):
            if text.startswith("slow"):
                time.sleep(30)
            return text
        """,
    ],
    ids=["async, awaiting", "sync, blocking"],
)
def test_a_timed_out_agent_that_does_not_block_the_loop_is_not_warned_about(
    project: Project, body: str
) -> None:
    project.write("agent.py", body)

    result, events = run_collecting(project, setting("agent:run", timeout=1.0))

    assert not [e for e in events if isinstance(e, LoopBlocked)]
    statuses = {t["input"]: t["status"] for t in project.traces(result.experiment_dir)}
    assert statuses == {"slow 1": "timeout", "ok": "success", "slow 2": "timeout"}


def test_blocking_within_the_timeout_is_not_warned_about(project: Project) -> None:
    project.write(
        "agent.py",
        """
        import time

        async def run(text):
            time.sleep(0.01)
            return text
        """,
    )

    _, events = run_collecting(project, setting("agent:run", timeout=30))

    assert not [e for e in events if isinstance(e, LoopBlocked)]


@pytest.mark.parametrize("quiet", [False, True], ids=["plain lines", "quiet"])
def test_the_cli_prints_the_warning_once(project: Project, quiet: bool) -> None:
    project.write("agent.py", BLOCKING_AGENTS["then returns"][1])
    project.write("setting.yaml", setting("agent:run"))

    result = project.cli("run", "experiment", "--no-collector", *(["--quiet"] if quiet else []))

    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stderr.splitlines() if "blocked the event loop" in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("warning: agent:run blocked the event loop for ")
    assert "Traceback" not in result.stderr
