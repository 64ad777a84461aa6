"""One writer per experiment folder: a second one is refused, naming the holder's pid."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from fluxloop_core.errors import UsageError
from fluxloop_core.results.lock import LOCK_FILE
from fluxloop_core.results.writer import ExperimentWriter

HOLDER = """
import sys
from pathlib import Path
from fluxloop_core.results.writer import ExperimentWriter
writer = ExperimentWriter(Path(sys.argv[1]))
print("locked", flush=True)
sys.stdin.read()  # hold the lock until the test closes stdin (or kills us)
writer.close()
"""


def hold(folder: Path) -> subprocess.Popen[str]:
    """A writer in another process, holding ``folder`` until its stdin closes."""
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "locked\n"
    return process


def test_a_second_writer_in_the_same_process_is_refused(tmp_path: Path) -> None:
    first = ExperimentWriter(tmp_path)
    with pytest.raises(UsageError) as refused:
        ExperimentWriter.reopen(tmp_path)
    first.close()

    text = refused.value.render()
    assert str(tmp_path) in text and f"pid {os.getpid()}" in text
    ExperimentWriter.reopen(tmp_path).close()  # released on close


@pytest.mark.parametrize("ending", ["close", "sigkill"])
def test_a_writer_in_another_process_blocks_until_it_ends(tmp_path: Path, ending: str) -> None:
    holder = hold(tmp_path)
    assert (tmp_path / LOCK_FILE).read_text() == f"{holder.pid}\n"
    for attempt in (ExperimentWriter, ExperimentWriter.reopen):
        with pytest.raises(UsageError, match=f"pid {holder.pid}"):
            attempt(tmp_path)
    (tmp_path / "traces.jsonl").write_text('{"run_id": "torn')  # must stay: not ours to cut
    with pytest.raises(UsageError):
        ExperimentWriter.reopen(tmp_path)
    assert (tmp_path / "traces.jsonl").read_text() == '{"run_id": "torn'

    if ending == "close":
        holder.communicate("")
    else:
        holder.send_signal(signal.SIGKILL)  # the kernel drops the lock with the process
        holder.communicate()

    writer = ExperimentWriter.reopen(tmp_path)
    assert (tmp_path / LOCK_FILE).read_text() == f"{os.getpid()}\n"
    assert (tmp_path / "traces.jsonl").read_text() == ""  # the torn line is cut now
    writer.close()
