"""Grading the runs already on disk: ``evaluate experiment``, and catching up on resume.

Both read traces.jsonl (each run once, as every reader does), grade each run with the
current plan, and replace evaluation/results.jsonl atomically with one line per run —
streamed, so memory stays flat in the number of runs, and an interruption leaves the old
file as it was. Rewriting rather than appending is what keeps results.jsonl exactly one
line per run on disk after a hard kill: a verdict whose run was lost (a torn trace line
cut on resume) disappears with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from itertools import islice
from pathlib import Path

from fluxloop_core.evaluation.aggregate import Aggregator, EvaluationSummary
from fluxloop_core.evaluation.files import (
    RESULTS_FILE,
    evaluation_dir,
    verdict_line,
    write_summary,
)
from fluxloop_core.evaluation.matching import NO_INPUT, InputMatcher
from fluxloop_core.evaluation.spec import GateSpec
from fluxloop_core.evaluation.verdicts import EvaluationPlan, RunVerdict
from fluxloop_core.files import write_atomic, write_atomic_chunks
from fluxloop_core.redaction import redact
from fluxloop_core.results.encoding import encodable
from fluxloop_core.results.lock import FolderLock
from fluxloop_core.results.models import SUMMARY_FILE, TraceRecord
from fluxloop_core.results.reader import iter_traces

CHUNK_LINES = 512

RunSink = Callable[[RunVerdict], None]


def graded(
    records: Iterable[TraceRecord], plan: EvaluationPlan, matcher: InputMatcher | None = None
) -> Iterator[RunVerdict]:
    """Each record's verdict, in order; with ``matcher``, each run gets the own checks of
    the input it matches now (see matching.py), not of its old position. A plan whose
    checks wait on an endpoint (an llm_judge) grades ``grading_threads`` runs at a time, a
    chunk of runs in memory."""
    grade: Callable[[TraceRecord], RunVerdict] = plan.grade
    if matcher is not None and plan.per_input:  # no input has checks: nothing to match

        def grade(record: TraceRecord) -> RunVerdict:
            index = matcher.index_of(record)
            verdict = plan.grade(record, index)
            return replace(verdict, input_missing=True) if index == NO_INPUT else verdict

    threads = plan.grading_threads
    if not threads:
        yield from map(grade, records)
        return
    pending = iter(records)
    pool = ThreadPoolExecutor(threads, thread_name_prefix="fluxloop-grade")
    try:
        while chunk := list(islice(pending, CHUNK_LINES)):
            yield from pool.map(grade, chunk)
    finally:
        # Interrupted: judgements still waiting are not waited for (plan.close() ends them).
        pool.shutdown(wait=False, cancel_futures=True)


def grade_existing(
    experiment_dir: Path,
    plan: EvaluationPlan,
    gate: GateSpec | None = None,
    *,
    on_run: RunSink | None = None,
    matcher: InputMatcher | None = None,
) -> Aggregator:
    """Grade every run in traces.jsonl, rewrite results.jsonl, and return the aggregator
    (for ``--resume``: the runner keeps feeding it the runs it adds; its inputs are the
    experiment's, so positions match). The caller holds the folder's lock (the runner's
    writer does)."""
    aggregator = Aggregator(gate)

    def chunks() -> Iterator[bytes]:
        batch: list[bytes] = []
        for verdict in graded(iter_traces(experiment_dir), plan, matcher):
            aggregator.add(verdict)
            if on_run is not None:
                on_run(verdict)
            batch.append(verdict_line(verdict))
            if len(batch) >= CHUNK_LINES:
                yield b"".join(batch)
                batch.clear()
        yield b"".join(batch)

    write_atomic_chunks(evaluation_dir(experiment_dir) / RESULTS_FILE, chunks())
    return aggregator


def regrade_experiment(
    experiment_dir: Path,
    plan: EvaluationPlan,
    gate: GateSpec | None = None,
    *,
    on_run: RunSink | None = None,
) -> EvaluationSummary:
    """``evaluate experiment``: grade the experiment's runs anew without calling the agent,
    write results.jsonl and summary.json, and return the summary. Holds the folder's lock
    meanwhile, so a run still writing the folder is refused (UsageError) rather than
    raced; ``on_run`` sees each verdict (progress)."""
    lock = FolderLock(experiment_dir)
    try:
        # Matched by input, not position: the inputs may have been reordered since.
        matcher = InputMatcher(plan.inputs)
        summary = grade_existing(
            experiment_dir, plan, gate, on_run=on_run, matcher=matcher
        ).summary()
        write_summary(experiment_dir, summary)
        _update_experiment_summary(experiment_dir, summary)
    finally:
        lock.release()
    return summary


def _update_experiment_summary(experiment_dir: Path, summary: EvaluationSummary) -> None:
    """Replace the ``evaluation`` block of the experiment's summary.json (atomically; every
    other field as it was). A folder without a readable summary.json keeps none: its
    evaluation/summary.json still holds the figures."""
    path = experiment_dir / SUMMARY_FILE
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return
    if not isinstance(data, dict):
        return
    data["evaluation"] = summary.to_json()
    text = json.dumps(encodable(data), indent=2, ensure_ascii=False)
    write_atomic(path, redact(text))
