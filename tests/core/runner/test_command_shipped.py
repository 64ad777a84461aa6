"""The spec a Ray actor builds a command target's executor from: plain picklable data,
without this machine's .env values, its programs started from the actor's folder."""

from __future__ import annotations

import asyncio
import pickle
import sys
from pathlib import Path

import pytest

from fluxloop_core.config.command_target import CommandSpec
from fluxloop_core.runner.binding import RunInput
from fluxloop_core.runner.command_shipped import ShippedCommand
from fluxloop_core.runner.executor import RunJob

AGENT = (Path(__file__).resolve().parents[2] / "command_agents" / "agent.py").read_text()


def shipped(argv: tuple[str, ...], tmp_path: Path) -> ShippedCommand:
    spec = CommandSpec(argv=argv, protocol="jsonl", folder=tmp_path / "home", timeout_seconds=30)
    return pickle.loads(pickle.dumps(ShippedCommand(spec)))


def test_the_program_starts_from_the_actors_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "agent.py").write_text(AGENT)
    monkeypatch.chdir(tmp_path)  # an actor runs in its copy of working_directory
    spec = shipped((sys.executable, "agent.py"), tmp_path)

    async def go() -> object:
        executor = spec.build()
        try:
            attempt = await executor.attempt(RunJob("0.0", 0, 0, RunInput("hi")))
        finally:
            await executor.close()
        return attempt.output

    assert spec.deadline == 30
    assert asyncio.run(go()) == "echo: hi"


def test_a_program_not_found_on_the_node_is_said_when_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    spec = shipped(("./no-such-agent",), tmp_path)

    with pytest.raises(ValueError, match=r"'\./no-such-agent' of runner\.command is not found"):
        spec.build()
