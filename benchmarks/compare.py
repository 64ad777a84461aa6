"""Comparing two experiments of 100,000 runs each, beside reading their runs once.

1. Writes two experiment folders of ``--runs`` runs (1,000 inputs × iterations) as the
   runner writes them: traces.jsonl and evaluation/results.jsonl; the candidate fails
   some inputs more often and answers others with other text.
2. Times the floor — reading both folders' traces.jsonl with the readers everyone uses
   (``iter_traces``) — beside ``compare_experiments`` by success and by verdict.
3. Measures memory (tracemalloc) at a tenth of the runs and at all: what the comparison
   keeps (per-input tallies and the result: the bar), and the peak, which also holds the
   readers' set of run_ids seen (their de-duplication, ~50 bytes a run, shared by every
   reader of traces.jsonl and results.jsonl).

Bars (DESIGN.md / issue 15): comparing two 100,000-run experiments ≤ 3 s; memory flat in
runs.

    python benchmarks/compare.py [--runs 100000]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
import tracemalloc
from pathlib import Path

from fluxloop_core.compare.analysis import compare_experiments, compare_tallies
from fluxloop_core.compare.tallies import tally_experiment
from fluxloop_core.results.models import ExperimentSummary, ResultStats, TraceRecord
from fluxloop_core.results.reader import iter_traces

INPUTS = 1000


def write_experiment(folder: Path, runs: int, *, candidate: bool) -> Path:
    """An experiment folder of ``runs`` runs with its results.jsonl."""
    folder.mkdir(parents=True)
    rng = random.Random(7 if candidate else 3)
    iterations = max(1, runs // INPUTS)
    with (
        open(folder / "traces.jsonl", "w") as traces,
        open(folder / "evaluation_results.tmp", "w") as verdicts,
    ):
        for iteration in range(iterations):
            for index in range(INPUTS):
                worse = candidate and index % 50 == 0
                passed = rng.random() < (0.3 if worse else 0.95)
                output = f"answer {index}" + (" v2" if candidate and index % 7 == 0 else "")
                record = TraceRecord(
                    run_id=f"{index}.{iteration}",
                    input_index=index,
                    iteration=iteration,
                    input=f"question number {index}: what is the status of order {index * 7}?",
                    input_metadata={"id": f"q{index}"},
                    status="success",
                    started_at="2026-12-01T00:00:00+00:00",
                    duration_ms=rng.lognormvariate(3, 0.5) * (1.2 if candidate else 1.0),
                    output=output,
                )
                traces.write(record.model_dump_json() + "\n")
                verdict = {
                    "run_id": record.run_id,
                    "input_index": index,
                    "iteration": iteration,
                    "input": record.input,
                    "passed": passed,
                    "graded": True,
                    "score": float(passed),
                    "run_error": False,
                    "duration_ms": record.duration_ms,
                    "grading_errors": 0,
                    "checks": [{"name": "contains", "passed": passed, "score": float(passed)}],
                }
                verdicts.write(json.dumps(verdict) + "\n")
    (folder / "evaluation").mkdir()
    (folder / "evaluation_results.tmp").rename(folder / "evaluation" / "results.jsonl")
    stats = ResultStats(
        total_runs=runs, successful=runs, failed=0, success_rate=1.0, avg_duration_ms=20
    )
    summary = ExperimentSummary(
        name=folder.name, date="2026-12-01T00:00:00", results=stats, iterations=iterations
    )
    (folder / "summary.json").write_text(summary.model_dump_json())
    return folder


def best_of(repeats: int, work: object) -> float:
    """The fastest of ``repeats`` calls of ``work``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return best


def memory(base: Path, candidate: Path) -> tuple[int, int]:
    """(bytes the comparison keeps, peak bytes while comparing) of the two folders."""
    tracemalloc.start()
    both = (tally_experiment(base, "verdict"), tally_experiment(candidate, "verdict"))
    result = compare_tallies(*both, 0.05)
    kept, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del both, result
    return kept, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as root:
        base = write_experiment(Path(root) / "base", runs, candidate=False)
        cand = write_experiment(Path(root) / "cand", runs, candidate=True)
        small_base = write_experiment(Path(root) / "base_s", runs // 10, candidate=False)
        small_cand = write_experiment(Path(root) / "cand_s", runs // 10, candidate=True)

        def read_both() -> None:
            for folder in (base, cand):
                for _ in iter_traces(folder):
                    pass

        floor = best_of(3, read_both)
        by_success = best_of(3, lambda: tally_experiment(base, "success") and None)
        by_success += best_of(3, lambda: tally_experiment(cand, "success") and None)
        whole = best_of(3, lambda: compare_experiments(base, cand))
        result = compare_experiments(base, cand)
        small, small_peak = memory(small_base, small_cand)
        large, large_peak = memory(base, cand)
    print(
        f"runs: {runs} a side ({INPUTS} inputs); {result.count('regressed')} inputs "
        f"regressed, {result.overall.outputs_changed} changed text"
    )
    print(f"{'':44}{'s':>8}{'× floor':>9}")
    print(f"{'floor: read both traces.jsonl (iter_traces)':44}{floor:8.3f}{1:9.2f}")
    print(f"{'tally both by success':44}{by_success:8.3f}{by_success / floor:9.2f}")
    print(f"{'compare_experiments (verdicts, everything)':44}{whole:8.3f}{whole / floor:9.2f}")
    scaled = whole * 100_000 / runs
    verdict = "PASS" if scaled <= 3 else "FAIL"
    print(f"comparison: {scaled:.2f} s per two 100,000-run experiments  bar ≤ 3 s: {verdict}")
    verdict = "PASS" if large <= small * 1.5 else "FAIL"
    print(
        f"kept: {small / 1024:.0f} KiB at {runs // 10} runs a side, "
        f"{large / 1024:.0f} KiB at {runs}  flat: {verdict}"
    )
    print(
        f"peak (with the readers' run_id sets): {small_peak / 1024:.0f} KiB, "
        f"{large_peak / 1024:.0f} KiB"
    )


if __name__ == "__main__":
    main()
