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
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from fluxloop_core.evaluation.aggregate import EvaluationSummary
from fluxloop_core.evaluation.checks import CheckOutcome
from fluxloop_core.evaluation.verdicts import CleanOutcomes, RunVerdict
from fluxloop_core.files import write_atomic
from fluxloop_core.results.encoding import encodable

EVALUATION_DIR = "evaluation"
RESULTS_FILE = "results.jsonl"
SUMMARY_FILE = "summary.json"


def evaluation_dir(experiment_dir: Path) -> Path:
    """``<experiment>/evaluation``."""
    return experiment_dir / EVALUATION_DIR


def verdict_line(verdict: RunVerdict) -> bytes:
    """results.jsonl's line for ``verdict`` (newline included): the same JSON as
    ``json.dumps(verdict.to_json())``, built faster because it is written for every run
    (the end of a clean run's line is made once per plan shape). Reasons quote the agent's
    output, which may hold text UTF-8 cannot encode: such values become markers."""
    outcomes = verdict.outcomes
    if verdict.input_missing:  # rare (re-grades only): the plain way
        return json.dumps(encodable(verdict.to_json()), ensure_ascii=False).encode() + b"\n"
    if isinstance(outcomes, CleanOutcomes):
        # Every check passed plainly: everything after the run's own fields is one string,
        # made once per plan shape.
        tail = outcomes.line_tail
        if tail is None:
            checks = ", ".join(_outcome_json(o) for o in outcomes)
            tail = outcomes.line_tail = f', "grading_errors": 0, "checks": [{checks}]}}\n'
        line = (
            f'{{"run_id": {_text(verdict.run_id)}, "input_index": {verdict.input_index}, '
            f'"iteration": {verdict.iteration}, "input": {_text(verdict.input)}, '
            '"passed": true, "graded": true, "score": 1.0, "run_error": false, '
            f'"duration_ms": {_number(verdict.duration_ms)}{tail}'
        )
    else:
        checks = ", ".join(_outcome_json(o) for o in outcomes)
        line = (
            f'{{"run_id": {_text(verdict.run_id)}, "input_index": {verdict.input_index}, '
            f'"iteration": {verdict.iteration}, "input": {_text(verdict.input)}, '
            f'"passed": {_BOOL[verdict.passed]}, "graded": {_BOOL[verdict.graded]}, '
            f'"score": {_number(verdict.score)}, "run_error": {_BOOL[verdict.run_error]}, '
            f'"duration_ms": {_number(verdict.duration_ms)}, '
            f'"grading_errors": {verdict.grading_errors}, "checks": [{checks}]}}\n'
        )
    try:
        return line.encode()
    except UnicodeEncodeError:
        return json.dumps(encodable(verdict.to_json()), ensure_ascii=False).encode() + b"\n"


_BOOL = {True: "true", False: "false"}
_text = json.encoder.encode_basestring
_FRAGMENTS_KEPT = 4096
_PASS_FRAGMENTS: dict[str, str] = {}


def _number(value: float) -> str:
    # What json.dumps writes, without building an encoder per call.
    number = float(value)
    return float.__repr__(number) if math.isfinite(number) else json.dumps(number)


def _outcome_json(outcome: CheckOutcome) -> str:
    if outcome.passed and outcome.score == 1.0 and outcome.reason is None:
        fragment = _PASS_FRAGMENTS.get(outcome.name)
        if fragment is None:
            if len(_PASS_FRAGMENTS) >= _FRAGMENTS_KEPT:  # names come from configs: few
                _PASS_FRAGMENTS.clear()
            fragment = f'{{"name": {_text(outcome.name)}, "passed": true, "score": 1.0}}'
            _PASS_FRAGMENTS[outcome.name] = fragment
        return fragment
    return json.dumps(outcome.to_json(), ensure_ascii=False)


class VerdictOutcome(BaseModel):
    """The fields of a results.jsonl line that say how a run went (what a comparison
    reads: parsed without building every check's outcome, several times faster)."""

    model_config = ConfigDict(extra="ignore")

    run_id: str
    input_index: int
    passed: bool
    graded: bool


V = TypeVar("V", RunVerdict, VerdictOutcome)


def _first_per_run(experiment_dir: Path, parse: Callable[[bytes], V]) -> Iterator[V]:
    path = evaluation_dir(experiment_dir) / RESULTS_FILE
    if not path.is_file():
        return
    seen: set[str] = set()
    with open(path, "rb") as handle:
        for raw in handle:
            if not raw.endswith(b"\n"):
                break  # a torn last line from a hard kill
            try:
                verdict = parse(raw)
            except (ValueError, KeyError, TypeError, RecursionError):  # ValidationError too
                continue
            if verdict.run_id not in seen:
                seen.add(verdict.run_id)
                yield verdict


def iter_verdicts(experiment_dir: Path) -> Iterator[RunVerdict]:
    """The verdicts of results.jsonl in file order, each run_id once (its first line, as
    for traces: a re-grade writes a new file rather than appending); torn or malformed
    lines are skipped. Nothing when the experiment was never evaluated."""
    return _first_per_run(experiment_dir, lambda raw: RunVerdict.from_json(json.loads(raw)))


def iter_verdict_outcomes(experiment_dir: Path) -> Iterator[VerdictOutcome]:
    """:func:`iter_verdicts` reading only each run's outcome."""
    return _first_per_run(experiment_dir, VerdictOutcome.model_validate_json)


def read_summary(experiment_dir: Path) -> dict[str, Any] | None:
    """evaluation/summary.json as written by :func:`write_summary`, or None when the
    experiment was not evaluated or the file is unreadable (readers such as `status
    experiments` show "not evaluated" rather than fail)."""
    path = evaluation_dir(experiment_dir) / SUMMARY_FILE
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("gate"), dict) else None


def pass_and_gate(experiment_dir: Path) -> tuple[str, str]:
    """The pass rate and the gate's verdict as shown in listings (``92.5%``, ``holds`` /
    ``fails``), from evaluation/summary.json; ``-`` when the experiment was not evaluated."""
    data = read_summary(experiment_dir)
    if data is None:
        return "-", "-"
    rate = data.get("pass_rate")
    shown = f"{rate:.1%}" if isinstance(rate, int | float) else "-"
    return shown, "holds" if data["gate"].get("passed") is True else "fails"


def failed_check_reasons(experiment_dir: Path) -> dict[str, list[str]]:
    """run_id -> why it did not pass its checks (``check: reason``), for the runs that did
    not; empty when the experiment was not evaluated. Only failing runs are kept."""
    return {
        verdict.run_id: verdict.reasons
        for verdict in iter_verdicts(experiment_dir)
        if not verdict.passed
    }


def write_summary(experiment_dir: Path, summary: EvaluationSummary) -> Path:
    """Write evaluation/summary.json atomically; returns its path."""
    path = evaluation_dir(experiment_dir) / SUMMARY_FILE
    write_atomic(path, json.dumps(summary.to_json(), indent=2, ensure_ascii=False) + "\n")
    return path
