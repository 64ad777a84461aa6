"""What the CLI does when FluxLoop itself fails: one line on stderr and a crash log.

A traceback is for whoever fixes FluxLoop, not for the user in the middle of a CI log: it
goes to a file (redacted like everything else that leaves the process), and stderr gets
one line naming the error and that file; the exit code is 3 (:mod:`fluxloop_core.exit_codes`).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import traceback
from pathlib import Path

from fluxloop_core.exit_codes import EXIT_TOOL_FAILED

CRASH_DIR_NAME = "fluxloop"


def crash_dirs() -> list[Path]:
    """Where crash logs go, best first: the user's cache folder, then the temp folder."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return [Path(cache) / CRASH_DIR_NAME, Path(tempfile.gettempdir()) / CRASH_DIR_NAME]


def write_crash_log(error: BaseException, argv: list[str]) -> Path | None:
    """Write the redacted traceback of ``error`` to a new file; its path, or None if no
    folder would take it."""
    from fluxloop_core.redaction import redact

    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d_%H%M%S")
    text = redact(
        f"fluxloop {' '.join(argv)}\n"
        f"python {sys.version.split()[0]} on {sys.platform}\n\n"
        + "".join(traceback.format_exception(error))
    )
    for folder in crash_dirs():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(prefix=f"crash_{stamp}_", suffix=".log", dir=folder)
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(text)
        except OSError:
            continue  # a read-only or full cache folder: try the next one
        return Path(name)
    return None


def report_crash(error: BaseException, argv: list[str]) -> int:
    """Log ``error`` and print the one line about it; returns exit code 3."""
    path = write_crash_log(error, argv)
    where = f"details in {path}" if path else "no crash log could be written"
    # On a stream the CLI already redacts; the message itself may quote anything.
    print(
        f"error: fluxloop failed ({type(error).__name__}: {_first_line(error)}); {where}. "
        "This is a bug in FluxLoop, not in your project: please report it with that file.",
        file=sys.stderr,
    )
    return EXIT_TOOL_FAILED


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:200] if lines else "no message"
