"""Write an experiment folder as runs finish, so that nothing finished is ever lost.

traces.jsonl (and artifacts/spans.jsonl) are appended through an unbuffered file: lines
are collected in memory and written in one ``write`` of whole lines, every
``FLUSH_LINES`` lines or ``FLUSH_SECONDS`` seconds and at the end, so the files only ever
hold whole lines (a hard kill can lose the last fraction of a second, never leave half a
line — and ``--resume`` cuts a torn last line anyway). summary.json and errors.json are
replaced atomically. Every byte written is redacted first (:mod:`fluxloop_core.redaction`:
an agent's output or error that echoes a key does not store it). Only counts and an
``array`` of durations stay in memory, so memory does not grow with the number of runs
(errors.json keeps the failed runs).
"""

from __future__ import annotations

import json
import math
import time
from array import array
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fluxloop_core.files import write_atomic
from fluxloop_core.redaction import redact
from fluxloop_core.results.models import (
    ARTIFACTS_DIR,
    ERRORS_FILE,
    SUMMARY_FILE,
    TRACES_FILE,
    ResultStats,
    RunError,
    TraceRecord,
)

SPANS_FILE = "spans.jsonl"
FLUSH_LINES = 256
FLUSH_SECONDS = 0.2


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


def _percentile(ordered: list[float], fraction: float) -> float:
    if not ordered:
        return 0.0
    # Nearest rank: the smallest value with at least `fraction` of the values at or below.
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Stats:
    """Counts and durations of the runs written so far."""

    successful: int = 0
    failed: int = 0
    timed_out: int = 0
    durations: array[float] = field(default_factory=lambda: array("d"))

    def add(self, status: str, duration_ms: float) -> None:
        """Count one finished run."""
        if status == "success":
            self.successful += 1
        else:
            self.failed += 1
            if status == "timeout":
                self.timed_out += 1
        self.durations.append(duration_ms)

    def result(self) -> ResultStats:
        """The summary's ``results`` block."""
        total = self.successful + self.failed
        ordered = sorted(self.durations)
        return ResultStats(
            total_runs=total,
            successful=self.successful,
            failed=self.failed,
            success_rate=round(self.successful / total, 6) if total else 0.0,
            avg_duration_ms=round(sum(ordered) / total, 3) if total else 0.0,
            p50_duration_ms=round(_percentile(ordered, 0.50), 3),
            p95_duration_ms=round(_percentile(ordered, 0.95), 3),
            timed_out=self.timed_out,
        )


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
    """Drop a torn last line (no newline, or not JSON) left by a hard kill."""
    if not path.exists():
        return
    with open(path, "rb+") as handle:
        data = handle.read()
        end = data.rfind(b"\n") + 1
        handle.truncate(end)


class ExperimentWriter:
    """The files of one experiment folder; used from one thread (the runner's loop)."""

    def __init__(self, experiment_dir: Path) -> None:
        self.dir = experiment_dir
        (experiment_dir / ARTIFACTS_DIR).mkdir(parents=True, exist_ok=True)
        self.stats = Stats()
        self.errors: list[RunError] = []
        self.done_ids: set[str] = set()  # runs finished before a --resume
        self._traces = _LineFile(experiment_dir / TRACES_FILE)
        self._spans = _LineFile(experiment_dir / ARTIFACTS_DIR / SPANS_FILE)
        self._last_flush = time.monotonic()

    @classmethod
    def reopen(cls, experiment_dir: Path) -> ExperimentWriter:
        """Continue an existing folder: cut torn lines, then count what is there."""
        for path in (experiment_dir / TRACES_FILE, experiment_dir / ARTIFACTS_DIR / SPANS_FILE):
            _cut_to_whole_lines(path)
        writer = cls(experiment_dir)
        traces = experiment_dir / TRACES_FILE
        with open(traces, "rb") as handle:
            for raw in handle:
                try:
                    record = TraceRecord.model_validate_json(raw)
                except ValueError:
                    continue  # a line a newer or foreign writer left; not ours to count
                if record.run_id in writer.done_ids:
                    continue
                writer.done_ids.add(record.run_id)
                writer._count(record)
        return writer

    def _count(self, record: TraceRecord) -> None:
        # done_ids holds only what a resumed folder already had: a fresh run never needs
        # to look its own finished runs up, and keeping 100,000 ids costs megabytes.
        self.stats.add(record.status, record.duration_ms)
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

    def add_run(self, record: TraceRecord) -> None:
        """Queue one finished run's line (whole), counting it; flushes on size or age."""
        self._count(record)
        self._traces.add(record.model_dump_json().encode() + b"\n")
        if record.spans:
            line = {"run_id": record.run_id, "spans": record.spans}
            self._spans.add(json.dumps(line, ensure_ascii=False).encode() + b"\n")
        if (
            self._traces.pending >= FLUSH_LINES
            or time.monotonic() - self._last_flush >= FLUSH_SECONDS
        ):
            self.flush()

    def flush(self) -> None:
        """Write every queued line now."""
        self._traces.flush()
        self._spans.flush()
        self._last_flush = time.monotonic()

    def write_summary(self, summary: dict[str, Any]) -> None:
        """Replace summary.json atomically."""
        text = json.dumps(summary, indent=2, ensure_ascii=False)
        write_atomic(self.dir / SUMMARY_FILE, redact(text))

    def write_errors(self) -> None:
        """Replace errors.json atomically with every failed run so far."""
        data = [error.model_dump(mode="json") for error in self.errors]
        text = json.dumps(data, indent=2, ensure_ascii=False)
        write_atomic(self.dir / ERRORS_FILE, redact(text))

    def close(self) -> None:
        """Flush and close the line files."""
        self._traces.close()
        self._spans.close()
