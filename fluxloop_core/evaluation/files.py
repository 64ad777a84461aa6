"""The evaluation's files inside an experiment folder.

experiments/<name>_<YYYYMMDD_HHMMSS>/evaluation/
    results.jsonl  one RunVerdict per line, appended as runs are graded (the runner's
                   writer appends these lines the way it appends traces); a re-grade
                   writes the whole file anew
    summary.json   EvaluationSummary.to_json(), written atomically
    junit.xml, report.md, report.html   (see reports.py)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from fluxloop_core.evaluation.aggregate import EvaluationSummary
from fluxloop_core.evaluation.verdicts import RunVerdict
from fluxloop_core.files import write_atomic
from fluxloop_core.results.encoding import encodable

EVALUATION_DIR = "evaluation"
RESULTS_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"


def evaluation_dir(experiment_dir: Path) -> Path:
    """``<experiment>/evaluation``."""
    return experiment_dir / EVALUATION_DIR


def verdict_line(verdict: RunVerdict) -> bytes:
    """results.jsonl's line for ``verdict`` (newline included). Reasons quote the agent's
    output, which may hold text UTF-8 cannot encode: such values become markers."""
    data = verdict.to_json()
    try:
        return json.dumps(data, ensure_ascii=False).encode() + b"\n"
    except UnicodeEncodeError:
        return json.dumps(encodable(data), ensure_ascii=False).encode() + b"\n"


def iter_verdicts(experiment_dir: Path) -> Iterator[RunVerdict]:
    """The verdicts of results.jsonl in file order, each run_id once (its first line, as
    for traces: a re-grade writes a new file rather than appending); torn or malformed
    lines are skipped. Nothing when the experiment was never evaluated."""
    path = evaluation_dir(experiment_dir) / RESULTS_FILE
    if not path.is_file():
        return
    seen: set[str] = set()
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a torn last line from a hard kill
            try:
                verdict = RunVerdict.from_json(json.loads(raw))
            except (ValueError, KeyError, TypeError, RecursionError):
                continue
            if verdict.run_id not in seen:
                seen.add(verdict.run_id)
                yield verdict


def write_summary(experiment_dir: Path, summary: EvaluationSummary) -> Path:
    """Write evaluation/summary.json atomically; returns its path."""
    path = evaluation_dir(experiment_dir) / SUMMARY_FILE
    write_atomic(path, json.dumps(summary.to_json(), indent=2, ensure_ascii=False) + "\n")
    return path
