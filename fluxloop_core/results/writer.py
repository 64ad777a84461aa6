"""Write an experiment folder as runs finish, so that nothing finished is ever lost.

Every run is written whatever the agent returned: a record whose line the readers could
not parse goes through :func:`~fluxloop_core.results.encoding.record_line`'s copy, so a
value too deep or not encodable is a marker in its line, never a missing line under a
count that includes it.

traces.jsonl (and artifacts/spans.jsonl) are appended through an unbuffered file: lines
are collected in memory and written in one ``write`` of whole lines, every
``FLUSH_LINES`` lines or ``FLUSH_SECONDS`` seconds and at the end. What a hard kill
(SIGKILL, OOM killer) can leave is therefore exactly: the runs still queued in memory are
missing (``--resume`` runs them again), and — when the kill lands inside a ``write``,
which the kernel may stop between pages — the last line can be torn. Readers skip a torn
last line; :meth:`ExperimentWriter.reopen` cuts it, so its run is run again. Every line
before it is whole. summary.json and errors.json are replaced atomically. Every byte
written is redacted first (:mod:`fluxloop_core.redaction`: an agent's output or error
that echoes a key does not store it). Only counts and an ``array`` of durations stay in
memory, so memory does not grow with the number of runs (errors.json keeps the failed
runs).
"""

from __future__ import annotations

import json
import os
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from fluxloop_core.files import write_atomic
from fluxloop_core.redaction import redact
from fluxloop_core.results.encoding import encodable, record_line
from fluxloop_core.results.lock import FolderLock
from fluxloop_core.results.models import (
    ARTIFACTS_DIR,
    ERRORS_FILE,
    SUMMARY_FILE,
    TRACES_FILE,
    RunError,
    TraceRecord,
)
from fluxloop_core.results.reader import iter_traces
from fluxloop_core.results.stats import Stats

SPANS_FILE = "spans.jsonl"
FLUSH_LINES = 256
FLUSH_SECONDS = 0.2
CUT_BLOCK = 1 << 16


def new_experiment_dir(output_directory: Path, name: str, started: datetime) -> Path:
    """Create ``<output>/<name>_<YYYYMMDD_HHMMSS>`` (``_2``, ``_3`` … when it exists)."""
    output_directory.mkdir(parents=True, exist_ok=True)
    base = f"{name}_{started.strftime('%Y%m%d_%H%M%S')}"
    candidate = output_directory / base
    suffix = 1
    while True:
        try:
            candidate.mkdir()
            return candidate
        except FileExistsError:
            suffix += 1
            candidate = output_directory / f"{base}_{suffix}"


class _LineFile:
    """An append-only JSONL file written in whole lines."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = open(path, "ab", buffering=0)  # noqa: SIM115 - closed by close()
        self._pending: list[bytes] = []

    def add(self, line: bytes) -> None:
        self._pending.append(line)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> None:
        if self._pending:
            # Redacted per batch, not per line: one pass over up to FLUSH_LINES lines.
            text = b"".join(self._pending).decode("utf-8", "surrogateescape")
            data = redact(text).encode("utf-8", "surrogateescape")
            self._pending.clear()
            view = memoryview(data)
            while view:  # a regular file takes it all at once; loop for the odd short write
                written = self._file.write(view)
                view = view[written or 0 :]

    def close(self) -> None:
        self.flush()
        self._file.close()


def _cut_to_whole_lines(path: Path) -> None:
    """Drop a torn last line (no newline at its end) left by a hard kill."""
    if not path.exists():
        return
    with open(path, "rb+") as handle:
        end = handle.seek(0, os.SEEK_END)
        while end > 0:  # back from the end, a block at a time: the file can be big
            start = max(0, end - CUT_BLOCK)
            handle.seek(start)
            newline = handle.read(end - start).rfind(b"\n")
            if newline >= 0:
                handle.truncate(start + newline + 1)
                return
            end = start
        handle.truncate(0)


class ExperimentWriter:
    """The files of one experiment folder; used from one thread (the runner's loop).

    It holds the folder's :class:`~fluxloop_core.results.lock.FolderLock` from the start
    to :meth:`close`: a second writer on the folder is refused with a UsageError.
    """

    def __init__(self, experiment_dir: Path) -> None:
        self.dir = experiment_dir
        (experiment_dir / ARTIFACTS_DIR).mkdir(parents=True, exist_ok=True)
        self._lock = FolderLock(experiment_dir)
        self.stats = Stats()
        self.errors: list[RunError] = []
        self.done_ids: set[str] = set()  # runs finished before a --resume
        try:
            self._traces = _LineFile(experiment_dir / TRACES_FILE)
            self._spans = _LineFile(experiment_dir / ARTIFACTS_DIR / SPANS_FILE)
        except BaseException:
            self._lock.release()
            raise
        self._last_flush = time.monotonic()
        self._results: _LineFile | None = None

    def open_results(self, path: Path) -> None:
        """Append the run's evaluation lines (evaluation/results.jsonl) to ``path`` too,
        batched and flushed with the traces, so the two files move together."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self._results = _LineFile(path)

    def add_result(self, line: bytes) -> None:
        """Queue one evaluation line (whole); written with the next flush of traces."""
        assert self._results is not None, "open_results first"
        self._results.add(line)

    @classmethod
    def reopen(cls, experiment_dir: Path) -> ExperimentWriter:
        """Continue an existing folder: lock it, cut torn lines, then count what is there
        (each run_id once, as every reader does)."""
        writer = cls(experiment_dir)  # the lock first: nobody else may append meanwhile
        try:
            for path in (experiment_dir / TRACES_FILE, experiment_dir / ARTIFACTS_DIR / SPANS_FILE):
                _cut_to_whole_lines(path)  # the line files append: they write at the new end
            for record in iter_traces(experiment_dir):
                writer.done_ids.add(record.run_id)
                writer._count(record)
        except BaseException:
            writer.close()
            raise
        return writer

    def _count(self, record: TraceRecord) -> None:
        # done_ids holds only what a resumed folder already had: a fresh run never needs
        # to look its own finished runs up, and keeping 100,000 ids costs megabytes.
        self.stats.add(record)
        if record.status != "success" and record.error is not None:
            self.errors.append(
                RunError(
                    run_id=record.run_id,
                    input=record.input,
                    iteration=record.iteration,
                    status=record.status,
                    error=record.error,
                )
            )

    def add_run(self, record: TraceRecord) -> TraceRecord:
        """Queue one finished run's line (whole), counting it; flushes on size or age.

        Returns the record as written (markers in place of what could not be encoded).
        """
        written, line = record_line(record)
        self._count(written)
        self._traces.add(line)
        if written.spans:
            spans = {"run_id": written.run_id, "spans": written.spans}
            self._spans.add(json.dumps(spans, ensure_ascii=False).encode() + b"\n")
        if (
            self._traces.pending >= FLUSH_LINES
            or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        ):
            self.flush()
        return written

    def flush(self) -> None:
        """Write every queued line now."""
        self._traces.flush()
        self._spans.flush()
        if self._results is not None:
            self._results.flush()
        self._last_flush = time.monotonic()

    def write_summary(self, summary: dict[str, Any]) -> None:
        """Replace summary.json atomically."""
        # encodable: config values expanded from the environment may hold lone surrogates.
        text = json.dumps(encodable(summary), indent=2, ensure_ascii=False)
        write_atomic(self.dir / SUMMARY_FILE, redact(text))

    def write_errors(self) -> None:
        """Replace errors.json atomically with every failed run so far."""
        data = [error.model_dump(mode="json") for error in self.errors]
        text = json.dumps(data, indent=2, ensure_ascii=False)
        write_atomic(self.dir / ERRORS_FILE, redact(text))

    def close(self) -> None:
        """Flush and close the line files, then let the folder's lock go."""
        try:
            self._traces.close()
            self._spans.close()
            if self._results is not None:
                self._results.close()
        finally:
            self._lock.release()
