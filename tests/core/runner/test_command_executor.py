"""runner.command's executors against real programs: tests/command_agents/agent.py and its
JavaScript twin agent.js, each answering or misbehaving as the input asks."""

from __future__ import annotations

import asyncio
import os
import pickle
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.config.command_target import CommandProtocol, CommandSpec
from fluxloop_core.runner.binding import RunInput
from fluxloop_core.runner.command_executor import command_executor
from fluxloop_core.runner.executor import Attempt, RunJob
from fluxloop_core.usage import run_usage

AGENTS = Path(__file__).resolve().parents[2] / "command_agents"
NODE = shutil.which("node")

LANGUAGES = [
    pytest.param([sys.executable, str(AGENTS / "agent.py")], id="python"),
    pytest.param(
        ["node", str(AGENTS / "agent.js")],
        id="javascript",
        marks=pytest.mark.skipif(NODE is None, reason="node is not installed"),
    ),
]


def spec(
    argv: list[str], protocol: CommandProtocol = "jsonl", parallel: int = 1, timeout: float = 20
) -> CommandSpec:
    if protocol == "per_run":
        argv = [*argv, "--per-run"]
    return CommandSpec(tuple(argv), protocol, AGENTS, {}, timeout, parallel)


def job(text: str, number: int = 0, history: Any = None) -> RunJob:
    return RunJob(f"{number}.0", number, 0, RunInput(text, {"n": number}), history=history)


def attempts(command: CommandSpec, *texts: str, together: bool = False) -> list[Attempt]:
    """Each text's attempt, one after another (or all at once) on one executor."""

    async def go() -> list[Attempt]:
        executor = command_executor(command)
        try:
            if together:
                return list(
                    await asyncio.gather(
                        *(executor.attempt(job(t, i)) for i, t in enumerate(texts))
                    )
                )
            return [await executor.attempt(job(t, i)) for i, t in enumerate(texts)]
        finally:
            await executor.close()

    return asyncio.run(go())


@pytest.mark.parametrize("argv", LANGUAGES)
@pytest.mark.parametrize("protocol", ["jsonl", "per_run"])
def test_an_echo_answer_brings_output_usage_and_spans(argv: list[str], protocol: Any) -> None:
    (found,) = attempts(spec(argv, protocol), "hello")
    assert found.status == "success", found.error
    assert found.output == "echo: hello"
    names = [s["name"] for s in found.spans]
    assert names == ["lookup", "command.usage", "command.run"]
    assert found.spans[-1]["protocol"] == protocol
    usage = run_usage(found.spans)
    assert usage is not None
    assert usage.tokens == {"echo-1": [5, 7]}
    assert usage.tool_calls == {"lookup": 1}


@pytest.mark.parametrize("argv", LANGUAGES)
def test_the_history_travels_in_the_request_line(argv: list[str]) -> None:
    history = ({"role": "user", "content": "a"}, {"role": "assistant", "content": "b"})

    async def go() -> Attempt:
        executor = command_executor(spec(argv))
        try:
            return await executor.attempt(job("c", history=history))
        finally:
            await executor.close()

    assert asyncio.run(go()).output == "echo: c [2 messages]"


@pytest.mark.parametrize("argv", LANGUAGES)
def test_jsonl_keeps_one_process_for_its_runs(argv: list[str]) -> None:
    first, second = attempts(spec(argv), "pid", "pid")
    assert first.output == second.output
    assert isinstance(first.output, int)


@pytest.mark.parametrize("argv", LANGUAGES)
def test_a_process_dying_mid_run_is_that_runs_error_and_is_restarted(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_TOKEN", "sk-secretsecretsecret123")
    before, died, after, echo = attempts(spec(argv), "pid", "die", "pid", "ok")
    assert died.status == "error"
    assert died.error is not None
    assert died.error.type == "ProcessExited"
    assert died.error.message == "the agent process exited with code 3 before answering run 1.0"
    assert died.error.traceback is not None
    assert "dying on purpose" in died.error.traceback
    assert "sk-secretsecretsecret123" not in died.error.traceback  # stderr is redacted
    assert after.status == "success" and after.output != before.output  # a new process
    assert echo.output == "echo: ok"


@pytest.mark.parametrize("argv", LANGUAGES)
def test_a_process_that_never_answers_times_out_and_is_replaced(argv: list[str]) -> None:
    hung, after = attempts(spec(argv, timeout=1), "hang", "ok")
    assert hung.status == "timeout"
    assert hung.error is not None and "timeout_seconds=1" in hung.error.message
    assert after.status == "success" and after.output == "echo: ok"


@pytest.mark.parametrize("argv", LANGUAGES)
@pytest.mark.parametrize(
    ("text", "kind", "words"),
    [
        ("garbage", "AnswerError", "not JSON: 'this is not json'"),
        ("huge", "AnswerTooLarge", "longer than 16 MiB"),
        ("version", "AnswerError", 'schema version "v": 2'),
    ],
)
def test_a_bad_answer_line_is_an_error_and_the_pool_goes_on(
    argv: list[str], text: str, kind: str, words: str
) -> None:
    bad, after = attempts(spec(argv), text, "ok")
    assert bad.status == "error"
    assert bad.error is not None and bad.error.type == kind
    assert words in bad.error.message
    assert bad.retryable is False
    assert after.output == "echo: ok"


@pytest.mark.parametrize("argv", LANGUAGES)
@pytest.mark.parametrize("protocol", ["jsonl", "per_run"])
def test_an_answered_error_is_the_runs_error(
    argv: list[str], protocol: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_TOKEN", "sk-secretsecretsecret123")
    (found,) = attempts(spec(argv, protocol), "error")
    assert found.status == "error"
    assert found.error is not None
    assert (found.error.type, found.error.message) == ("ValueError", "bad input")
    assert found.error.traceback == "at answer(): token=****"  # redacted


@pytest.mark.parametrize("argv", LANGUAGES)
def test_parallel_copies_each_answer_their_own_requests(argv: list[str]) -> None:
    texts = [f"t{i}" for i in range(12)]
    found = attempts(spec(argv, parallel=3), *texts, "pid", "pid", "pid", together=True)
    assert [a.output for a in found[:12]] == [f"echo: {t}" for t in texts]
    assert len({a.output for a in found[12:]}) <= 3


@pytest.mark.parametrize("argv", LANGUAGES)
def test_per_run_takes_plain_stdout_as_the_output(argv: list[str]) -> None:
    plain, garbage, first, second = attempts(
        spec(argv, "per_run"), "plain", "garbage", "pid", "pid"
    )
    assert plain.output == "plain words"
    assert garbage.output == "this is not json"
    assert first.output != second.output  # a process per run


@pytest.mark.parametrize("argv", LANGUAGES)
def test_per_run_non_zero_exit_keeps_stderr(argv: list[str]) -> None:
    died, hung, bad = attempts(spec(argv, "per_run", timeout=1), "die", "hang", "version")
    assert died.status == "error" and died.error is not None
    assert (died.error.type, died.error.message) == (
        "ProcessFailed",
        "the agent process exited with code 3",
    )
    assert died.error.traceback is not None and "dying on purpose" in died.error.traceback
    assert hung.status == "timeout"
    assert bad.error is not None and bad.error.type == "AnswerError"


@pytest.mark.parametrize("protocol", ["jsonl", "per_run"])
def test_a_missing_program_is_a_start_error(protocol: Any) -> None:
    (found,) = attempts(spec(["no-such-program-here"], protocol), "hi")
    assert found.status == "error" and found.error is not None
    assert found.error.type == "StartError"
    assert found.error.message.startswith("cannot start 'no-such-program-here'")
    assert found.retryable is False


def test_close_ends_every_process() -> None:
    async def go() -> list[int | None]:
        executor = command_executor(spec([sys.executable, str(AGENTS / "agent.py")], parallel=2))
        await asyncio.gather(executor.attempt(job("a")), executor.attempt(job("b", 1)))
        processes = [slot.agent.process for slot in executor._slots if slot.agent]  # type: ignore[attr-defined]
        assert len(processes) == 2
        await executor.close()
        return [p.returncode for p in processes]

    assert asyncio.run(go()) == [0, 0]  # stdin closed: they ended on their own


@pytest.mark.parametrize("protocol", ["jsonl", "per_run"])
def test_a_cancelled_run_kills_its_program(protocol: Any, tmp_path: Path) -> None:
    # The agent writes its pid once it has read the request, then hangs.
    marker = tmp_path / "pid"
    agent = tmp_path / "agent.py"
    agent.write_text(
        "import os, sys, time\n"
        "sys.stdin.readline()\n"
        f"open({str(marker)!r}, 'w').write(str(os.getpid()))\n"
        "time.sleep(3600)\n"
    )

    async def go() -> int | None:
        executor = command_executor(spec([sys.executable, str(agent)], protocol))
        task = asyncio.ensure_future(executor.attempt(job("x")))
        while not marker.exists() or not marker.read_text():
            await asyncio.sleep(0.02)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        await executor.close()
        pid = int(marker.read_text())
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        return pid

    assert asyncio.run(go()) is None  # killed and reaped


def test_the_executor_is_built_from_plain_picklable_data() -> None:
    # A Ray actor or a worker gets the spec, not the executor.
    command = spec([sys.executable, str(AGENTS / "agent.py")], parallel=2)
    copied = pickle.loads(pickle.dumps(command))
    assert copied == command
    (found,) = attempts(copied, "hi")
    assert found.output == "echo: hi"


@pytest.mark.parametrize("argv", LANGUAGES)
def test_any_text_and_metadata_reach_the_agent_intact(argv: list[str]) -> None:
    text = 'quotes " braces {} newline \n émoji 🎈 lone \ud800'

    async def go() -> Attempt:
        executor = command_executor(spec(argv))
        try:
            run_input = RunInput(text, {"when": date(2026, 1, 2)})  # YAML dates become text
            return await executor.attempt(RunJob("0.0", 0, 0, run_input))
        finally:
            await executor.close()

    found = asyncio.run(go())
    assert found.status == "success", found.error
    assert found.output == f"echo: {text}"
