"""``run experiment --rerun-failing DIR``: the inputs of DIR that failed or were flaky.

An input failed or was flaky when any of its runs did not pass (its evaluation verdict
when DIR was evaluated, else its success). The config's inputs are matched to them as a
comparison matches inputs (text, and ``metadata.id`` when both have one).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.compare.matching import InputKey, input_key, match_inputs
from fluxloop_core.compare.tallies import is_evaluated, tally_experiment
from fluxloop_core.errors import UsageError
from fluxloop_core.results.reader import load_summary
from fluxloop_core.runner.binding import RunInput


@dataclass(frozen=True)
class RerunSelection:
    """The failing or flaky inputs of an experiment, and its iterations."""

    source: Path
    failing: frozenset[InputKey]
    iterations: int

    def indices(self, inputs: Sequence[RunInput]) -> list[int]:
        """The indices of ``inputs`` that failed or were flaky in the source experiment."""
        keys: dict[InputKey, InputKey] = {}
        for item in inputs:
            key = input_key(item.text, item.metadata)
            keys[key] = key
        wanted = {now for _, now in match_inputs({k: k for k in self.failing}, keys).pairs}
        return [i for i, item in enumerate(inputs) if input_key(item.text, item.metadata) in wanted]


def _summary_iterations(folder: Path) -> int | None:
    try:
        return load_summary(folder).iterations or None
    except UsageError:  # killed before its first summary: the runs tell
        return None


def failing_inputs(folder: Path) -> RerunSelection:
    """What ``--rerun-failing`` runs again of ``folder`` (a UsageError when it is no
    experiment); iterations are the experiment's own (its summary's, else the most runs
    any input had)."""
    tally = tally_experiment(folder, "verdict" if is_evaluated(folder) else "success")
    failing = frozenset(key for key, item in tally.inputs.items() if item.passed < item.counted)
    iterations = _summary_iterations(folder) or max(tally.iterations, 1)
    return RerunSelection(folder, failing, iterations)
