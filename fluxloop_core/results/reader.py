"""Reading experiment folders: for `status experiments/traces`, `status check` and the TUI.

Readers stream traces.jsonl and tolerate what an interrupted run can leave behind (a torn
last line, a folder without summary.json): such things are skipped or reported, never
fatal. Each run_id counts once (its first line), whatever the file repeats. A summary
that the writer did not finish (a hard kill leaves its last checkpoint, up to seconds
old) or that is older than traces.jsonl gets its counts from the lines on disk.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from fluxloop_core.errors import UsageError
from fluxloop_core.results.legacy import (
    is_experiment_folder,
    is_legacy_experiment,
    legacy_errors,
    legacy_summary,
    legacy_trace,
)
from fluxloop_core.results.models import (
    SUMMARY_FILE,
    TRACES_FILE,
    ExperimentSummary,
    ResultStats,
    TraceRecord,
)
from fluxloop_core.results.stats import Stats


@dataclass(frozen=True)
class ExperimentListing:
    """One experiment folder; ``problem`` says why ``summary`` is missing, if it is."""

    path: Path
    summary: ExperimentSummary | None
    problem: str | None


def _read_summary(folder: Path) -> tuple[ExperimentSummary | None, str | None]:
    path = folder / SUMMARY_FILE
    if not path.is_file():
        return None, f"no {SUMMARY_FILE} (the run may have been killed)"
    try:
        summary = ExperimentSummary.model_validate_json(path.read_bytes())
        if is_legacy_experiment(folder):  # fluxloop-cli 0.2.x: written once, at the end
            return legacy_summary(summary, folder), None
        if _behind_the_lines(folder, summary):
            summary = summary.model_copy(
                update={"results": _count_traces(folder), "interrupted": True}
            )
        return summary, None
    except (OSError, ValidationError) as exc:
        first = str(exc).splitlines()[0]
        return None, f"unreadable {SUMMARY_FILE}: {first}"


def _behind_the_lines(folder: Path, summary: ExperimentSummary) -> bool:
    """Whether runs may be on disk that the summary does not count."""
    traces = folder / TRACES_FILE
    if not traces.is_file():
        return False
    if summary.finished_at is None:
        return True  # killed (or still running): its last checkpoint is behind
    return traces.stat().st_mtime_ns > (folder / SUMMARY_FILE).stat().st_mtime_ns


def _count_traces(folder: Path) -> ResultStats:
    stats = Stats()
    for record in iter_traces(folder):
        stats.add(record)
    return stats.result()


def list_experiments(output_dir: Path) -> list[ExperimentListing]:
    """Every experiment folder under ``output_dir``, newest first.

    Newest means the latest ``started_at`` of its summary, or the folder's modification
    time when the summary cannot be read.
    """
    if not output_dir.is_dir():
        return []
    listings: list[tuple[str, ExperimentListing]] = []
    for folder in output_dir.iterdir():
        if not is_experiment_folder(folder):
            continue
        summary, problem = _read_summary(folder)
        key = (summary.started_at or summary.date) if summary else _mtime_iso(folder)
        listings.append((key, ExperimentListing(folder, summary, problem)))
    listings.sort(key=lambda item: (item[0], item[1].path.name), reverse=True)
    return [listing for _, listing in listings]


def _mtime_iso(folder: Path) -> str:
    from datetime import datetime

    return datetime.fromtimestamp(folder.stat().st_mtime).isoformat()


def latest_experiment(output_dir: Path) -> Path | None:
    """The newest experiment folder, or None when there is none."""
    listings = list_experiments(output_dir)
    return listings[0].path if listings else None


def load_summary(experiment_dir: Path) -> ExperimentSummary:
    """The folder's summary.json; a UsageError naming the file when it is missing or bad."""
    summary, problem = _read_summary(experiment_dir)
    if summary is None:
        raise UsageError(
            problem or "unreadable summary",
            file=experiment_dir / SUMMARY_FILE,
            hint="Pass an experiment folder (experiments/<name>_<YYYYMMDD_HHMMSS>), or "
            "finish an interrupted one with `fluxloop run experiment --resume DIR`.",
        )
    return summary


def iter_traces(experiment_dir: Path, *, failed_only: bool = False) -> Iterator[TraceRecord]:
    """The runs of traces.jsonl in file order, each run_id once (its first line); torn,
    malformed or foreign lines are skipped. A fluxloop-cli 0.2.x folder's lines read as
    runs, followed by the failed runs of its errors.json."""
    path = experiment_dir / TRACES_FILE
    if not path.is_file():
        raise UsageError(
            f"no {TRACES_FILE} here",
            file=experiment_dir,
            hint="Pass an experiment folder such as experiments/<name>_<YYYYMMDD_HHMMSS>.",
        )
    seen: set[str] = set()
    position = -1
    with open(path, "rb") as handle:
        for position, raw in enumerate(handle):
            if not raw.endswith(b"\n"):
                return  # a torn last line from a hard kill
            try:
                record = TraceRecord.model_validate_json(raw)
            except ValueError:  # pydantic's ValidationError among them
                legacy = legacy_trace(raw, position)
                if legacy is None:
                    continue
                record = legacy
            if record.run_id in seen:
                continue
            seen.add(record.run_id)
            if failed_only and record.status == "success":
                continue
            yield record
    if is_legacy_experiment(experiment_dir):
        yield from legacy_errors(experiment_dir, start=position + 1)
