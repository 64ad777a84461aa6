"""The executors for ``runner.command``: the agent is a program spoken to in JSON lines.

``jsonl`` (:class:`JsonlExecutor`) keeps ``parallel_runs`` copies of the program running;
each run borrows an idle copy, writes one request line and reads one answer line, so each
copy answers its requests in order. A copy that dies is started again for the next run and
the run it was answering is an error holding the end of its stderr; a copy that overruns
``timeout_seconds``, prints a line that is not a schema answer, or is cancelled mid-run is
killed (it could be out of step) and started again too.

``per_run`` (:class:`PerRunExecutor`) starts the program for each run: the request line on
stdin (then closed), the output on stdout — an answer line, or else the whole text is the
output. A non-zero exit is a failed run with the end of its stderr.

Both are built from a :class:`~fluxloop_core.config.command_target.CommandSpec` alone
(plain data), and record one span ``{"name": "command.run", "kind": "command",
"protocol", "duration_ms"}`` beside the agent's own.
"""

from __future__ import annotations

import asyncio
import json
import time
from asyncio.subprocess import Process
from dataclasses import dataclass, field
from typing import Any

from fluxloop_core.config.command_target import CommandSpec
from fluxloop_core.redaction import redact
from fluxloop_core.results.models import ErrorInfo, RunStatus
from fluxloop_core.runner.command_lines import (
    MAX_LINE_BYTES,
    Answer,
    BadAnswer,
    answer_of,
    read_answer,
    request_line,
)
from fluxloop_core.runner.command_process import (
    READ_CHUNK,
    AgentProcess,
    StartFailed,
    exit_words,
)
from fluxloop_core.runner.executor import Attempt, Executor, RunJob
from fluxloop_core.runner.providers import captured


class _Failed(Exception):
    """A run that ended in an error (the message is the trace's)."""

    def __init__(
        self, kind: str, message: str, *, stderr: str | None = None, retryable: bool = True
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.stderr = stderr
        self.retryable = retryable


def _bad(answer: BadAnswer) -> _Failed:
    # The program's own mistake: the same request would get the same answer.
    return _Failed("AnswerError", str(answer), retryable=False)


@dataclass
class _Outcome:
    status: RunStatus = "success"
    output: Any = None
    error: ErrorInfo | None = None
    spans: list[dict[str, Any]] = field(default_factory=list)
    retryable: bool = True


def _answered(answer: Answer) -> _Outcome:
    if answer.error is not None:
        trace = answer.error.traceback
        error = answer.error.model_copy(
            update={"message": redact(answer.error.message), "traceback": trace and redact(trace)}
        )
        return _Outcome("error", error=error, spans=answer.spans)
    return _Outcome(output=answer.output, spans=answer.spans)


class _CommandExecutor:
    """What both protocols share: the deadline, the errors, the span."""

    prefetch = 0

    def __init__(self, spec: CommandSpec) -> None:
        self._spec = spec

    async def _run(self, job: RunJob) -> Answer:
        raise NotImplementedError

    def _line(self, job: RunJob) -> bytes:
        return request_line(job, self._spec.override_path)

    async def attempt(self, job: RunJob) -> Attempt:
        """Run ``job`` once; the agent's failures and the deadline become its status."""
        started = time.monotonic()
        timeout = self._spec.timeout_seconds
        limit = asyncio.timeout(timeout)
        try:
            async with limit:
                outcome = _answered(await self._run(job))
        except TimeoutError:
            if not limit.expired():
                raise
            error = ErrorInfo(
                type="TimeoutError", message=f"no answer within timeout_seconds={timeout:g}"
            )
            outcome = _Outcome("timeout", error=error)
        except _Failed as failed:
            error = ErrorInfo(
                type=failed.kind, message=redact(str(failed)), traceback=failed.stderr
            )
            outcome = _Outcome("error", error=error, retryable=failed.retryable)
        duration = time.monotonic() - started
        span = {
            "name": "command.run",
            "kind": "command",
            "protocol": self._spec.protocol,
            "duration_ms": round(duration * 1000, 3),
        }
        return Attempt(
            outcome.status,
            duration * 1000,
            outcome.output,
            outcome.error,
            spans=[*outcome.spans, span],
            started=started,
            retryable=outcome.retryable,
            callback_calls=captured(job, outcome.output) if outcome.status == "success" else [],
        )

    def drop_queued(self) -> None:
        """Nothing is queued here: the scheduler holds at most ``parallel_runs``."""


async def _start(spec: CommandSpec) -> AgentProcess:
    try:
        return await AgentProcess.start(spec)
    except StartFailed as failed:
        raise _Failed("StartError", str(failed), retryable=False) from None


async def _send(process: Process, line: bytes, *, close: bool) -> bool:
    """Write a request ``line`` to the program (then close its stdin, when asked); False
    when the program has closed its end."""
    assert process.stdin is not None
    try:
        process.stdin.write(line)
        await process.stdin.drain()
        if close:
            process.stdin.close()
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


class _Slot:
    """One place in the jsonl pool: a running copy of the program, or none yet."""

    def __init__(self) -> None:
        self.agent: AgentProcess | None = None


class JsonlExecutor(_CommandExecutor):
    """``parallel_runs`` long-lived copies of the program, one run at a time each."""

    def __init__(self, spec: CommandSpec) -> None:
        super().__init__(spec)
        self._slots = [_Slot() for _ in range(spec.parallel_runs)]
        self._idle: asyncio.Queue[_Slot] = asyncio.Queue()
        for slot in self._slots:
            self._idle.put_nowait(slot)

    async def _run(self, job: RunJob) -> Answer:
        slot = await self._idle.get()
        try:
            return await self._exchange(slot, job)
        finally:
            self._idle.put_nowait(slot)

    async def _exchange(self, slot: _Slot, job: RunJob) -> Answer:
        agent = slot.agent
        if agent is not None and agent.ended:
            await agent.finish()  # it died between runs: no run was waiting on it
            agent = None
        if agent is None:
            agent = slot.agent = await _start(self._spec)
        try:
            line = await self._ask(agent, job)
            return read_answer(line)
        except _Failed:
            slot.agent = None
            raise
        except BadAnswer as bad:
            # It may still write the answer it owes: out of step, so it goes.
            slot.agent = None
            agent.kill()
            await agent.finish()
            raise _bad(bad) from None
        except BaseException:
            # A timeout or a cancel mid-run: the answer may still come, out of step.
            slot.agent = None
            agent.kill()
            await asyncio.shield(agent.finish())  # reaped here, not by a closed loop
            raise

    async def _ask(self, agent: AgentProcess, job: RunJob) -> bytes:
        process = agent.process
        assert process.stdout is not None
        try:
            sent = await _send(process, self._line(job), close=False)
            line = await process.stdout.readline() if sent else b""
        except ValueError:  # the stream's limit: a line longer than MAX_LINE_BYTES
            agent.kill()
            await agent.finish()
            raise _Failed(
                "AnswerTooLarge",
                f"the answer line is longer than {MAX_LINE_BYTES // (1024 * 1024)} MiB",
                retryable=False,
            ) from None
        if line.endswith(b"\n"):
            return line
        # End of stdout before a whole line: the program ended (or closed stdout).
        agent.kill()
        code, stderr = await agent.finish()
        raise _Failed(
            "ProcessExited",
            f"the agent process {exit_words(code)} before answering run {job.run_id}",
            stderr=stderr,
        )

    async def close(self) -> None:
        """Stop every copy: stdin closed, then killed if it does not exit."""
        agents = [slot.agent for slot in self._slots if slot.agent is not None]
        for slot in self._slots:
            slot.agent = None
        await asyncio.gather(*(agent.stop() for agent in agents))


class PerRunExecutor(_CommandExecutor):
    """One start of the program per run."""

    async def _run(self, job: RunJob) -> Answer:
        agent = await _start(self._spec)
        try:
            stdout = await self._talk(agent, job)
        except BaseException:
            agent.kill()
            await asyncio.shield(agent.finish())
            raise
        code, stderr = await agent.finish()
        if code != 0:
            raise _Failed("ProcessFailed", f"the agent process {exit_words(code)}", stderr=stderr)
        return _stdout_answer(stdout)

    async def _talk(self, agent: AgentProcess, job: RunJob) -> bytes:
        process = agent.process
        assert process.stdout is not None
        # A program that reads nothing may exit first: its stdout still counts.
        await _send(process, self._line(job), close=True)
        chunks = bytearray()
        while chunk := await process.stdout.read(READ_CHUNK):
            chunks += chunk
            if len(chunks) > MAX_LINE_BYTES:
                raise _Failed(
                    "AnswerTooLarge",
                    f"the agent printed more than {MAX_LINE_BYTES // (1024 * 1024)} MiB",
                    retryable=False,
                )
        return bytes(chunks)

    async def close(self) -> None:
        """Nothing outlives its run."""


def _stdout_answer(stdout: bytes) -> Answer:
    """A per_run program's stdout: an answer (a JSON object with ``"v"``), or else its
    whole text is the output."""
    text = stdout.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if not (isinstance(data, dict) and "v" in data):
        return Answer(output=text.removesuffix("\n"))
    try:
        return answer_of(data)
    except BadAnswer as bad:
        raise _bad(bad) from None


def command_executor(spec: CommandSpec) -> Executor:
    """The executor of ``spec``'s protocol."""
    if spec.protocol == "per_run":
        return PerRunExecutor(spec)
    return JsonlExecutor(spec)
