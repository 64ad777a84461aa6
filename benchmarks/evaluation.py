"""Evaluation cost beside the runner's, per run, in one process.

1. Runs an experiment of trivial runs (the runner's own per-run cost, timed between its
   ExperimentStarted and ExperimentFinished events).
2. Grades every run of that experiment with five deterministic checks, encodes its
   results.jsonl line and feeds the aggregator (the work inline evaluation adds per run),
   and times it.
3. Re-grades from disk with ``grade_existing`` (``evaluate experiment``'s work: read
   traces.jsonl, grade, write results.jsonl, aggregate), and measures the aggregator's
   peak memory at 1/10 and all of the runs.

Bars (DESIGN.md): inline evaluation adds ≤ 10 % to the experiment; re-grading 100,000 runs
≤ 3 s; memory flat in runs.

    python benchmarks/evaluation.py [--runs 100000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

from _projects import TRIVIAL_AGENT, write_project

from fluxloop_core.config.loader import load_config
from fluxloop_core.evaluation.aggregate import Aggregator
from fluxloop_core.evaluation.inline import InlineEvaluation
from fluxloop_core.evaluation.regrade import grade_existing
from fluxloop_core.evaluation.spec import validate_evaluation
from fluxloop_core.evaluation.verdicts import EvaluationPlan, compile_plan
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.reader import iter_traces
from fluxloop_core.runner.events import ExperimentFinished, ExperimentStarted, RunnerEvent
from fluxloop_core.runner.experiment import RunOptions, run_experiment

FIVE_CHECKS = {
    "checks": [
        {"check": "output_not_empty"},
        {"check": "not_contains", "keywords": ["I cannot", "Traceback"]},
        {"check": "contains", "keywords": ["Processed"]},
        {"check": "matches_regex", "pattern": r"input \d+"},
        {"check": "latency_under", "budget_ms": 2000},
    ],
    "gate": {"min_pass_rate": 0.9},
}
INPUTS = 100
SPEC = validate_evaluation(FIVE_CHECKS)


def run_experiment_timed(config: Path) -> tuple[float, Path]:
    """Run-phase seconds of one experiment, and its folder."""
    marks: dict[str, float] = {}

    def on_event(event: RunnerEvent) -> None:
        if isinstance(event, ExperimentStarted):
            marks["start"] = time.perf_counter()
        elif isinstance(event, ExperimentFinished):
            marks["end"] = time.perf_counter()

    sys.path.insert(0, str(config.parent))
    try:
        result = run_experiment(
            load_config(config), RunOptions(use_collector=False), on_event=on_event
        )
    finally:
        sys.path.remove(str(config.parent))
        sys.modules.pop("agent", None)
    return marks["end"] - marks["start"], result.experiment_dir


def grade_all(plan: EvaluationPlan, records: list[TraceRecord]) -> tuple[float, Aggregator]:
    """Seconds for InlineEvaluation.add on each of ``records`` (grade, results line,
    figures) and the final summary, best of three."""
    best = float("inf")
    evaluation = InlineEvaluation(plan, SPEC.gate)
    for _ in range(3):
        evaluation = InlineEvaluation(plan, SPEC.gate)
        lines: list[bytes] = []
        start = time.perf_counter()
        for record in records:
            lines.append(evaluation.add(record))
            if len(lines) >= 256:  # the runner's writer flushes lines in batches
                lines.clear()
        evaluation.aggregator.summary()
        best = min(best, time.perf_counter() - start)
    return best, evaluation.aggregator


def peak_memory(plan: EvaluationPlan, records: list[TraceRecord], runs: int) -> int:
    """Peak bytes the aggregator allocates over ``runs`` verdicts (records reused)."""
    verdicts = [plan.grade(record) for record in records[: min(len(records), 1000)]]
    aggregator = Aggregator()
    tracemalloc.start()
    for number in range(runs):
        aggregator.add(verdicts[number % len(verdicts)])
    aggregator.summary()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    runs = parser.parse_args().runs
    plan = compile_plan(SPEC)
    with tempfile.TemporaryDirectory() as root:
        config = write_project(
            Path(root) / "bench",
            TRIVIAL_AGENT,
            inputs=INPUTS,
            iterations=max(1, runs // INPUTS),
            parallel_runs=1,
        )
        run_seconds, folder = run_experiment_timed(config)
        records = list(iter_traces(folder))
        grade_seconds, aggregator = grade_all(plan, records)
        start = time.perf_counter()
        grade_existing(folder, plan, SPEC.gate).summary()
        regrade_seconds = time.perf_counter() - start
    count = len(records)
    summary = aggregator.summary()
    per_run_runner = run_seconds / count * 1e6
    per_run_eval = grade_seconds / count * 1e6
    share = grade_seconds / run_seconds
    small, large = peak_memory(plan, records, count // 10), peak_memory(plan, records, count)
    print(f"runs: {count} ({INPUTS} inputs), pass rate {summary.pass_rate.estimate:.1%}")
    print(f"{'':34}{'total s':>9}{'µs/run':>9}")
    print(f"{'runner (run phase)':34}{run_seconds:9.3f}{per_run_runner:9.1f}")
    print(f"{'5 checks + line + aggregate':34}{grade_seconds:9.3f}{per_run_eval:9.1f}")
    verdict = "PASS" if share <= 0.10 else "FAIL"
    print(f"inline evaluation adds {share:.1%} to the run phase  bar ≤ 10%: {verdict}")
    scaled = regrade_seconds * 100_000 / count
    verdict = "PASS" if scaled <= 3 else "FAIL"
    print(
        f"re-grade from disk: {regrade_seconds:.3f} s ({scaled:.2f} s per 100,000 runs)"
        f"  bar ≤ 3 s: {verdict}"
    )
    verdict = "PASS" if large <= small * 1.5 else "FAIL"
    print(
        f"aggregator peak memory: {small / 1024:.0f} KiB at {count // 10} runs, "
        f"{large / 1024:.0f} KiB at {count}  flat: {verdict}"
    )


if __name__ == "__main__":
    main()
