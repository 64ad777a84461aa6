"""Writing files so that a crash never leaves half of one behind."""

from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

PLAIN_FILE_MODE = 0o644
SECRET_FILE_MODE = 0o600


def write_atomic(
    path: Path, text: str, *, new_mode: int = PLAIN_FILE_MODE, sync: bool = True
) -> None:
    """Write ``text`` to ``path`` so readers see the old file or the new one, never half.

    The file keeps the permissions it had (``new_mode`` when it is new): the temp file
    behind the atomic rename is private, and without this every edit would silently make
    a shared setting.yaml private.
    """
    write_atomic_chunks(path, [str.encode(text, "utf-8")], new_mode=new_mode, sync=sync)


def write_atomic_chunks(
    path: Path, chunks: Iterable[bytes], *, new_mode: int = PLAIN_FILE_MODE, sync: bool = True
) -> None:
    """:func:`write_atomic` for content produced piece by piece (a file too big to hold in
    memory at once): ``chunks`` are written in order; if producing one raises, the old file
    stays as it was. ``sync=False`` skips the fsync: still all-or-nothing for readers, but
    not through a power loss, for files that can be made again (a report per run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():  # else os.replace fails naming the temp file, not the user's path
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = new_mode
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            if sync:
                os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
