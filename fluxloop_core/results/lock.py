"""One writer per experiment folder.

Two writers on one folder (two ``run experiment --resume DIR`` at once) would each run
every remaining run and append its own line for it. The writer therefore holds an
exclusive ``flock`` on a lock file inside the folder for its whole life, with its pid
written in the file so that a refused second writer can say who holds it. The kernel drops
the lock when the holder's file is closed or the process dies (even by SIGKILL), so a
stale lock file never blocks a later ``--resume``.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from typing import IO

from fluxloop_core.errors import UsageError

LOCK_FILE = ".writer.lock"


class FolderLock:
    """The held lock of one experiment folder; :meth:`release` (or exit) lets it go."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        handle: IO[str] = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise UsageError(
                f"{folder} is being written by another fluxloop run (pid {holder})",
                hint="Wait for that run to end (or stop it) before resuming this folder: "
                "two writers would run every remaining run twice.",
            ) from None
        except BaseException:
            handle.close()
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Let the lock go (the file stays: removing it would race with a new holder)."""
        self._handle.close()
