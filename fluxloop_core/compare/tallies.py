"""One streamed pass over an experiment folder, kept per input.

Memory grows with the number of inputs, never with the number of runs: each input keeps
its counts, a latency histogram is shared by the experiment, and what an input answered
is kept as a digest of the multiset of its output texts (enough to tell whether they
changed; the texts themselves are read again from disk only when someone looks at one
input, see :func:`outputs_of`).

A run's outcome is its evaluation verdict when the experiment was evaluated
(evaluation/results.jsonl: passed among graded runs; a run no check could grade counts in
neither), otherwise whether it succeeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fluxloop_core.compare.latency import LatencyHistogram
from fluxloop_core.compare.matching import InputKey, input_key
from fluxloop_core.errors import UsageError
from fluxloop_core.evaluation.files import RESULTS_FILE, evaluation_dir, iter_verdict_outcomes
from fluxloop_core.results.legacy import is_experiment_folder
from fluxloop_core.results.models import TRACES_FILE
from fluxloop_core.results.reader import iter_traces
from fluxloop_core.results.rows import result_text

Outcome = Literal["verdict", "success"]
_DIGEST_MASK = (1 << 64) - 1

EXPERIMENT_HINT = (
    "Pass an experiment folder (experiments/<name>_<YYYYMMDD_HHMMSS>, holding traces.jsonl) "
    "or the name of one under the project's output_directory."
)


@dataclass(slots=True)
class InputTally:
    """One input's runs in one experiment."""

    key: InputKey
    index: int
    """The input's index in the experiment (its first one, if the text repeats)."""
    runs: int = 0
    passed: int = 0
    counted: int = 0
    """Runs with an outcome: every run, or the graded ones when evaluated."""
    digest: int = 0
    """Sum of the hashes of the output texts: equal multisets give equal sums."""

    @property
    def rate(self) -> float:
        """passed / counted (0 without a counted run)."""
        return self.passed / self.counted if self.counted else 0.0


@dataclass
class ExperimentTally:
    """What a comparison needs of one experiment."""

    folder: Path
    outcome: Outcome
    inputs: dict[InputKey, InputTally] = field(default_factory=dict)
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    runs: int = 0
    iterations: int = 0
    """The most runs any input has (1 for an experiment of one iteration per input)."""


def require_experiment(folder: Path) -> None:
    """A UsageError naming ``folder`` unless it is an experiment folder one can read."""
    if not folder.exists():
        raise UsageError("no such folder", file=folder, hint=EXPERIMENT_HINT)
    if not folder.is_dir() or not is_experiment_folder(folder):
        raise UsageError("not an experiment folder", file=folder, hint=EXPERIMENT_HINT)
    if not (folder / TRACES_FILE).is_file():
        raise UsageError(
            f"no {TRACES_FILE}: the experiment has no run on disk",
            file=folder,
            hint=EXPERIMENT_HINT,
        )


def is_evaluated(folder: Path) -> bool:
    """Whether the experiment's runs were graded (evaluation/results.jsonl exists)."""
    return (evaluation_dir(folder) / RESULTS_FILE).is_file()


def _verdicts_by_input(folder: Path) -> dict[int, list[int]]:
    """input index -> [graded runs, passed runs] of results.jsonl. A verdict carries the
    index of the trace line it graded (a re-grade grades what traces.jsonl holds), so the
    two files join on it."""
    counts: dict[int, list[int]] = {}
    for verdict in iter_verdict_outcomes(folder):
        if verdict.graded:
            entry = counts.setdefault(verdict.input_index, [0, 0])
            entry[0] += 1
            entry[1] += verdict.passed
    return counts


def tally_experiment(folder: Path, outcome: Outcome) -> ExperimentTally:
    """Read ``folder``'s runs once (each run_id once; torn and foreign lines skipped, a
    fluxloop-cli 0.2.x folder read as ours) into per-input tallies."""
    require_experiment(folder)
    tally = ExperimentTally(folder, outcome)
    inputs = tally.inputs
    by_index: dict[int, InputTally] = {}
    add_latency = tally.latency.add
    for record in iter_traces(folder):
        item = by_index.get(record.input_index)
        if item is None or item.key.text != record.input:
            key = input_key(record.input, record.input_metadata)
            item = inputs.get(key)
            if item is None:
                item = inputs[key] = InputTally(key, record.input_index)
            by_index[record.input_index] = item
        item.runs += 1
        add_latency(record.duration_ms)
        output = record.output
        # result_text's answer for the common case (a text output), without the call.
        text = output if record.error is None and type(output) is str else result_text(record)
        item.digest = (item.digest + hash(text)) & _DIGEST_MASK
        if outcome == "success":
            item.counted += 1
            item.passed += record.status == "success"
    if outcome == "verdict":
        for index, (graded, passed) in _verdicts_by_input(folder).items():
            item = by_index.get(index)
            if item is not None:
                item.counted += graded
                item.passed += passed
    tally.runs = sum(item.runs for item in inputs.values())
    tally.iterations = max((item.runs for item in inputs.values()), default=0)
    return tally


def outputs_of(folder: Path, key: InputKey, limit: int = 20) -> list[tuple[int, str]]:
    """(iteration, output text) of up to ``limit`` runs of the input ``key``, in iteration
    order: what the TUI shows side by side."""
    found = [
        (record.iteration, result_text(record))
        for record in iter_traces(folder)
        if input_key(record.input, record.input_metadata) == key
    ]
    return sorted(found)[:limit]
