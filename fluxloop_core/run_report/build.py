"""Stream an experiment into run reports: an index always, a file per run on request.

Memory stays flat in the number of runs: traces are read one line at a time, each run's
file is written before the next is read, and the index is streamed into its file. Replayed
arguments come from the recording through a byte-offset index (8 bytes a line), not by
holding the recording. Every file is written atomically.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxloop_core.errors import UsageError
from fluxloop_core.files import write_atomic, write_atomic_chunks
from fluxloop_core.recording import LineIndex, RecordedCall, parse_line
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.reader import iter_traces, load_summary
from fluxloop_core.results.rows import RUN_COLUMNS, run_row, summary_line
from fluxloop_core.run_report.document import run_sections
from fluxloop_core.run_report.render import FORMATS, html_run, index_chunks, markdown_run

REPORT_DIR_NAME = "report"
RUNS_DIR_NAME = "runs"
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RunReport:
    """What :func:`write_run_reports` wrote."""

    index: Path
    runs: int
    run_files: int


class _Recordings:
    """The recorded kwargs behind ``replay_source``, read by line number on demand."""

    def __init__(self) -> None:
        self._indexes: dict[str, LineIndex | None] = {}

    def kwargs(self, record: TraceRecord) -> dict[str, Any] | None:
        source = record.replay_source
        if source is None:
            return None
        if source.recording_file not in self._indexes:
            path = Path(source.recording_file)
            try:
                # A traces file names this path: never a device or pipe read forever.
                index = LineIndex(path).build() if path.is_file() else None
            except OSError:
                index = None
            self._indexes[source.recording_file] = index
        index = self._indexes[source.recording_file]
        if index is None:
            return None
        try:
            raw = index.read_line(source.line_number - 1)
        except (IndexError, OSError):
            return None
        call = parse_line(raw, source.line_number)
        return call.kwargs if isinstance(call, RecordedCall) else None


def run_file_name(run_id: str, fmt: str) -> str:
    """``run-<id>.<fmt>``; an id with characters a file name should not hold (a traces
    file edited by hand) has them replaced."""
    return f"run-{_SAFE_NAME.sub('_', run_id)[:100]}.{fmt}"


def write_run_reports(
    experiment_dir: Path,
    *,
    fmt: str = "md",
    output_dir: Path | None = None,
    per_run: bool = False,
    on_progress: Progress | None = None,
) -> RunReport:
    """Write ``index.<fmt>`` (and with ``per_run`` one file per run under ``runs/``) into
    ``output_dir`` (default ``<experiment>/report``)."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}", hint="Use md or html.")
    summary = load_summary(experiment_dir)
    out = output_dir or experiment_dir / REPORT_DIR_NAME
    recordings = _Recordings()
    counts = {"runs": 0, "files": 0}
    render = markdown_run if fmt == "md" else html_run

    def rows() -> Iterator[tuple[list[str], str | None]]:
        for record in iter_traces(experiment_dir):
            link = None
            if per_run:
                name = run_file_name(record.run_id, fmt)
                title = f"{summary.name} · run {record.run_id}"
                sections = run_sections(record, recordings.kwargs(record))
                # Thousands of files that can be made again: no fsync for each.
                write_atomic(out / RUNS_DIR_NAME / name, render(title, sections), sync=False)
                link = f"{RUNS_DIR_NAME}/{name}"
                counts["files"] += 1
            counts["runs"] += 1
            if on_progress is not None:
                on_progress(counts["runs"])
            yield run_row(record), link

    index = out / f"index.{fmt}"
    chunks = index_chunks(fmt, summary.name, summary_line(summary), RUN_COLUMNS, rows())
    write_atomic_chunks(index, (chunk.encode("utf-8") for chunk in chunks))
    return RunReport(index=index, runs=counts["runs"], run_files=counts["files"])
