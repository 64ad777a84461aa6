"""Evaluation as runs finish: what the runner calls once per run.

    evaluation = InlineEvaluation(plan, gate)             # or .resume(folder, plan, gate)
    line = evaluation.add(record)    # append to evaluation/results.jsonl with the traces
    line = await evaluation.add_soon(record)   # the same, from the runner's event loop
    evaluation.pass_rate             # live progress
    summary = evaluation.finish(folder)   # writes evaluation/summary.json
    evaluation.close()               # the judges' endpoints and grading threads

The runner appends each line through the same batched, whole-line writer as traces.jsonl,
so a hard kill leaves at most a torn last line there too; ``resume`` rewrites
results.jsonl from traces.jsonl (see regrade.py), so the two files agree again.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from fluxloop_core.evaluation.aggregate import Aggregator, EvaluationSummary
from fluxloop_core.evaluation.files import verdict_line, write_summary
from fluxloop_core.evaluation.regrade import grade_existing
from fluxloop_core.evaluation.spec import GateSpec
from fluxloop_core.evaluation.verdicts import EvaluationPlan, RunVerdict
from fluxloop_core.results.models import TraceRecord


class InlineEvaluation:
    """Grades each finished run, keeps the figures, and gives its results.jsonl line."""

    def __init__(
        self,
        plan: EvaluationPlan,
        gate: GateSpec | None = None,
        aggregator: Aggregator | None = None,
    ) -> None:
        self.plan = plan
        self.aggregator = aggregator or Aggregator(gate)
        self.last: RunVerdict | None = None
        threads = plan.grading_threads
        self._pool = (
            ThreadPoolExecutor(threads, thread_name_prefix="fluxloop-grade") if threads else None
        )

    @classmethod
    def resume(
        cls, experiment_dir: Path, plan: EvaluationPlan, gate: GateSpec | None = None
    ) -> InlineEvaluation:
        """For ``--resume``: the runs already on disk graded (results.jsonl rewritten to
        match traces.jsonl), figures included. Call it after the writer reopened the
        folder (it holds the lock and has cut a torn trace line)."""
        return cls(plan, gate, grade_existing(experiment_dir, plan, gate))

    def add(self, record: TraceRecord) -> bytes:
        """Grade one finished run; returns its results.jsonl line (``last`` is its verdict,
        for the run's event: the TUI colours the run and shows the failing reason)."""
        return self._take(self.plan.grade(record))

    async def add_soon(self, record: TraceRecord) -> bytes:
        """:meth:`add` for the runner's event loop: a plan whose checks wait on an endpoint
        (an llm_judge) grades in worker threads, ``grading_threads`` runs at a time, so the
        loop keeps running the agent meanwhile; a plain plan grades inline (cheaper)."""
        if self._pool is None:
            return self.add(record)
        loop = asyncio.get_running_loop()
        return self._take(await loop.run_in_executor(self._pool, self.plan.grade, record))

    def _take(self, verdict: RunVerdict) -> bytes:
        self.last = verdict
        self.aggregator.add(verdict)
        return verdict_line(verdict)

    @property
    def graded_runs(self) -> int:
        """Runs graded so far (resumed ones included)."""
        return self.aggregator.graded_runs

    @property
    def pass_rate(self) -> float:
        """Passed / graded runs so far."""
        return self.aggregator.pass_rate

    def finish(self, experiment_dir: Path, *, interrupted: bool = False) -> EvaluationSummary:
        """The figures and the gate; evaluation/summary.json written atomically.
        ``interrupted``: the experiment stopped early, the figures are marked partial."""
        summary = replace(self.aggregator.summary(), interrupted=interrupted)
        write_summary(experiment_dir, summary)
        return summary

    def close(self) -> None:
        """Stop grading: runs still with a judge end as grading errors, not waited for."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        self.plan.close()
