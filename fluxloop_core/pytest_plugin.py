"""The pytest plugin (entry point ``pytest11``): a project's experiment as a pytest test.

``fluxloop_experiment(config)`` runs the experiment of a setting.yaml in-process, offline,
into a temporary folder, and returns an :class:`ExperimentOutcome` to assert on::

    def test_agent(fluxloop_experiment):
        outcome = fluxloop_experiment("setting.yaml", iterations=1)
        assert outcome.success_rate == 1.0, outcome.explain()

pytest imports this module in every session where FluxLoop is installed, so it imports
nothing of the runner until the fixture is used.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from fluxloop_core.runner.experiment import ExperimentResult

FAILURES_SHOWN = 5


@dataclass(frozen=True)
class ExperimentOutcome:
    """A finished experiment, in the terms a test asserts on."""

    result: ExperimentResult

    def __repr__(self) -> str:
        # pytest prints it under a failed assert: the folder, not the whole summary.
        return f"ExperimentOutcome({self.experiment_dir})"

    @property
    def experiment_dir(self) -> Path:
        """The experiment's folder (traces.jsonl, summary.json, evaluation/)."""
        return self.result.experiment_dir

    @property
    def success_rate(self) -> float:
        """The share of runs that returned without raising or timing out."""
        return self.result.summary.results.success_rate

    @property
    def pass_rate(self) -> float | None:
        """The share of runs that passed every check; None without checks."""
        evaluation = self.result.evaluation
        return None if evaluation is None else evaluation.pass_rate.estimate

    @property
    def gate_passed(self) -> bool | None:
        """Whether the evaluation's gate holds; None without checks."""
        evaluation = self.result.evaluation
        return None if evaluation is None else evaluation.gate.passed

    def explain(self) -> str:
        """What went wrong, for an assertion message: counts, the first failing runs and
        the gate's reasons."""
        from fluxloop_core.results.reader import iter_traces

        stats = self.result.summary.results
        lines = [
            f"{stats.successful} of {stats.total_runs} runs succeeded "
            f"({stats.success_rate:.1%}); results in {self.experiment_dir}"
        ]
        for number, record in enumerate(iter_traces(self.experiment_dir, failed_only=True)):
            if number == FAILURES_SHOWN:
                lines.append(f"  ... and {stats.failed - FAILURES_SHOWN} more failed runs")
                break
            error = record.error
            why = f"{error.type}: {error.message}" if error else record.status
            lines.append(f"  run {record.run_id} ({record.input!r}): {why}")
        evaluation = self.result.evaluation
        if evaluation is not None:
            lines.append(f"pass rate {evaluation.pass_rate.estimate:.1%}")
            if not evaluation.gate.passed:
                lines.append(f"gate fails: {evaluation.gate.message()}")
        return "\n".join(lines)


def run_project_experiment(
    config: str | Path,
    *,
    output_dir: Path,
    iterations: int | None = None,
    parallel_runs: int | None = None,
) -> ExperimentOutcome:
    """Run ``config``'s experiment offline with its results under ``output_dir``.

    A config that cannot run raises the same UserError as ``run experiment`` (its message
    names the file, key and fix)."""
    from fluxloop_core.config.project import load_project_config
    from fluxloop_core.runner.experiment import RunOptions, run_experiment

    loaded = load_project_config(Path(config).expanduser().resolve())
    loaded.config.output_directory = output_dir
    options = RunOptions(iterations=iterations, parallel_runs=parallel_runs, use_collector=False)
    return ExperimentOutcome(run_experiment(loaded, options))


@pytest.fixture
def fluxloop_experiment(tmp_path: Path) -> Callable[..., ExperimentOutcome]:
    """Run a FluxLoop project's experiment: ``fluxloop_experiment(config, iterations=,
    parallel_runs=)`` returns an :class:`ExperimentOutcome`; results go to the test's
    temporary folder."""

    def run(
        config: str | Path, *, iterations: int | None = None, parallel_runs: int | None = None
    ) -> ExperimentOutcome:
        from fluxloop_core.errors import UserError

        try:
            return run_project_experiment(
                config,
                output_dir=tmp_path / "experiments",
                iterations=iterations,
                parallel_runs=parallel_runs,
            )
        except UserError as error:  # the one paragraph `run experiment` prints, no trace
            pytest.fail(error.render(), pytrace=False)

    return run
