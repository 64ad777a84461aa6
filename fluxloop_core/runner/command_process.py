"""One started copy of a command target's program: its pipes, its stderr tail, its end.

Each program starts in a session of its own, so a Ctrl-C in the terminal reaches FluxLoop
only (which then stops the program itself), and killing it kills whatever it started.
Its stderr is read all the time (a program writing more than a pipe holds would otherwise
block) and only the end is kept, for the error of a run it failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from asyncio.subprocess import PIPE, Process

from fluxloop_core.config.command_target import CommandSpec
from fluxloop_core.redaction import redact
from fluxloop_core.runner.command_lines import MAX_LINE_BYTES

STDERR_TAIL_BYTES = 4000
"""The end of a program's stderr kept for a failed run's error."""
EXIT_GRACE_SECONDS = 2.0
"""How long a program told to stop (stdin closed) or found ended gets before it is killed."""
READ_CHUNK = 64 * 1024


class StartFailed(Exception):
    """The program could not be started (not found, not executable)."""


class _Tail:
    """The last :data:`STDERR_TAIL_BYTES` of a stream."""

    def __init__(self) -> None:
        self._data = bytearray()

    def add(self, chunk: bytes) -> None:
        self._data += chunk
        if len(self._data) > 2 * STDERR_TAIL_BYTES:
            del self._data[: len(self._data) - STDERR_TAIL_BYTES]

    def text(self) -> str | None:
        """The kept end as (redacted) text; None when nothing was written."""
        data = bytes(self._data[-STDERR_TAIL_BYTES:])
        text = data.decode("utf-8", "replace").strip()
        return redact(text) if text else None


class AgentProcess:
    """A started program with its stdin and stdout piped to FluxLoop."""

    def __init__(self, process: Process) -> None:
        self.process = process
        self._stderr = _Tail()
        assert process.stderr is not None
        self._draining = asyncio.ensure_future(self._drain(process.stderr))

    @classmethod
    async def start(cls, spec: CommandSpec) -> AgentProcess:
        """Start ``spec``'s program; raises StartFailed with a message naming it."""
        try:
            process = await asyncio.create_subprocess_exec(
                *spec.argv,
                stdin=PIPE,
                stdout=PIPE,
                stderr=PIPE,
                cwd=spec.folder,
                env=spec.environment(),
                limit=MAX_LINE_BYTES,
                start_new_session=True,
            )
        except OSError as exc:
            reason = exc.strerror or type(exc).__name__
            raise StartFailed(f"cannot start {spec.argv[0]!r}: {reason}") from None
        return cls(process)

    async def _drain(self, stream: asyncio.StreamReader) -> None:
        while chunk := await stream.read(READ_CHUNK):
            self._stderr.add(chunk)

    @property
    def ended(self) -> bool:
        """Whether the program has exited (as far as this loop has seen)."""
        return self.process.returncode is not None

    def kill(self) -> None:
        """Kill the program and everything in its session (never waits)."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signal.SIGKILL)

    async def finish(self) -> tuple[int | None, str | None]:
        """Wait for the program's end (killed after a grace period): its exit code and
        stderr tail."""
        try:
            async with asyncio.timeout(EXIT_GRACE_SECONDS):
                await self.process.wait()
        except TimeoutError:
            self.kill()
            await self.process.wait()
        try:
            async with asyncio.timeout(EXIT_GRACE_SECONDS):
                await self._draining  # a child holding stderr open must not hold us
        except TimeoutError:
            self._draining.cancel()
        return self.process.returncode, self._stderr.text()

    async def stop(self) -> None:
        """Close its stdin (the program's cue to exit) and wait for it, killing it when
        it does not stop."""
        stdin = self.process.stdin
        if stdin is not None and not stdin.is_closing():
            stdin.close()
        await self.finish()


def exit_words(code: int | None) -> str:
    """How a program ended, in words (a negative code is the signal that killed it)."""
    if code is None:
        return "did not end"
    if code < 0:
        try:
            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"
