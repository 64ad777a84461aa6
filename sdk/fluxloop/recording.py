"""``record_call_args``: one JSON line per call, appended atomically.

Each line is written with a single ``os.write`` on a file opened with ``O_APPEND``, so
lines from many threads and processes never interleave (POSIX appends are atomic per
write call on local files).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections import defaultdict
from typing import Any

from fluxloop.config import ConfigurationError, configure, get_config
from fluxloop.serialization import MAX_DEPTH, dumps, to_jsonable

_lock = threading.Lock()
_counters: defaultdict[str, int] = defaultdict(int)
_auto_increment = True


def set_recording_options(*, iteration_auto_increment: bool = True) -> None:
    """With ``iteration_auto_increment=False`` every call must pass ``iteration=``."""
    global _auto_increment
    _auto_increment = iteration_auto_increment


def reset_recording_state() -> None:
    """Restart per-target iteration counters and re-enable auto-increment."""
    global _auto_increment
    with _lock:
        _counters.clear()
        _auto_increment = True


def enable_recording(output_file: str | os.PathLike[str]) -> None:
    """Record calls into ``output_file`` from now on (released 0.1.x API).

    The same as ``configure(record_args=True, recording_file=...)`` with the path made
    absolute; iteration counters restart from 0, as 0.1.x started a new recorder.
    """
    path = os.path.abspath(os.path.expanduser(os.fspath(output_file)))
    with _lock:
        _counters.clear()
    configure(record_args=True, recording_file=path)


def disable_recording() -> None:
    """Stop recording calls (released 0.1.x API): ``configure(record_args=False)``."""
    configure(record_args=False)


def record_call_args(target: str, *, iteration: int | None = None, **kwargs: Any) -> None:
    """Append the call's keyword arguments to the recording file (when record_args is on).

    ``target`` (positional or keyword) is ``"module:Qualname"`` of the function being
    recorded. Without ``iteration`` it counts up per target from 0.
    """
    config = get_config()
    if not (config.enabled and config.record_args):
        return
    with _lock:
        if iteration is None:
            if not _auto_increment:
                raise ConfigurationError(
                    "record_call_args needs iteration= when iteration_auto_increment is off"
                )
            iteration = _counters[target]
        _counters[target] = max(_counters[target], iteration + 1)
    line = {
        "_version": "1",
        "iteration": iteration,
        "target": target,
        # kwargs sit one level inside the line, which must stay within MAX_DEPTH.
        "kwargs": to_jsonable(kwargs, redact_keys=config.redact_keys, max_depth=MAX_DEPTH - 1),
        "timestamp": dt.datetime.now(dt.UTC).isoformat(),
    }
    data = (dumps(line) + "\n").encode("utf-8")
    path = config.recording_file
    directory = os.path.dirname(path)
    if directory:
        os.makedirs(directory, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        written = os.write(fd, data)
        while written < len(data):  # only on exotic filesystems; keep the line whole
            written += os.write(fd, data[written:])
    finally:
        os.close(fd)
