"""Evaluation's cost through the real runner, side by side with the same experiment
without evaluation.

1. ``run_experiment`` (the function behind ``fluxloop run experiment``) on N trivial runs,
   once with no ``evaluation`` section and once with five deterministic checks graded
   inline, alternately, best of ``--rounds``; each in a fresh process, timed from the call
   to its return (planning, writing, grading, summary and reports all included), with the
   process's peak RSS.
2. ``evaluate experiment``'s work (``grading_plan`` + ``regrade_experiment``: read
   traces.jsonl, grade, write results.jsonl and both summaries) on the graded folder.
3. Peak RSS of the graded run at N/10 and N runs (memory flat in the run count).

Bars (DESIGN.md): inline evaluation adds ≤ 10 % to the experiment; re-grading 100,000 runs
≤ 3 s; memory flat in runs.

    python benchmarks/evaluation.py [--runs 100000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _projects import TRIVIAL_AGENT, write_project

FIVE_CHECKS = """evaluation:
  checks:
    - check: output_not_empty
    - check: not_contains
      keywords: ["I cannot", "Traceback"]
    - check: contains
      keywords: ["Processed"]
    - check: matches_regex
      pattern: "input \\\\d+"
    - check: latency_under
      budget_ms: 2000
  gate:
    min_pass_rate: 0.9
"""
INPUTS = 100


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_run(config: Path) -> dict[str, Any]:
    """In a fresh process: one experiment through run_experiment."""
    from fluxloop_core.config.loader import load_config
    from fluxloop_core.runner.experiment import RunOptions, run_experiment

    loaded = load_config(config)
    start = time.perf_counter()
    result = run_experiment(loaded, RunOptions(use_collector=False))
    seconds = time.perf_counter() - start
    rate = result.evaluation.pass_rate.estimate if result.evaluation else None
    return {
        "seconds": seconds,
        "runs": result.summary.results.total_runs,
        "pass_rate": rate,
        "folder": str(result.experiment_dir),
        "peak_mib": _peak_mib(),
    }


def child_regrade(config: Path, folder: Path) -> dict[str, Any]:
    """In a fresh process: what `fluxloop evaluate experiment DIR` does."""
    from fluxloop_core.config.loader import load_config
    from fluxloop_core.evaluation.regrade import regrade_experiment
    from fluxloop_core.preflight import grading_plan

    start = time.perf_counter()
    loaded = load_config(config)
    plan = grading_plan(loaded)
    assert plan is not None and loaded.config.evaluation is not None
    summary = regrade_experiment(folder, plan, loaded.config.evaluation.gate)
    return {
        "seconds": time.perf_counter() - start,
        "runs": summary.runs,
        "peak_mib": _peak_mib(),
    }


def _child(*args: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def _project(root: Path, name: str, runs: int, graded: bool) -> Path:
    config = write_project(
        root / name, TRIVIAL_AGENT, inputs=INPUTS, iterations=max(1, runs // INPUTS),
        parallel_runs=1,
    )  # fmt: skip
    if graded:
        config.write_text(config.read_text() + FIVE_CHECKS)
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *paths = args.child
        found = child_run(Path(paths[0])) if kind == "run" else child_regrade(*map(Path, paths))
        print(json.dumps(found))
        return
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp)
        plain = _project(root, "plain", args.runs, graded=False)
        graded = _project(root, "graded", args.runs, graded=True)
        small = _project(root, "small", args.runs // 10, graded=True)
        best: dict[str, dict[str, Any]] = {}
        for _ in range(args.rounds):
            for name, config in (("plain", plain), ("graded", graded)):
                found = _child("run", str(config))
                if name not in best or found["seconds"] < best[name]["seconds"]:
                    best[name] = found
        regrade = _child("regrade", str(graded), str(best["graded"]["folder"]))
        tenth = _child("run", str(small))

    runs = best["graded"]["runs"]
    print(f"runs: {runs} ({INPUTS} inputs), pass rate {best['graded']['pass_rate']:.1%}")
    title = f"run_experiment, best of {args.rounds}"
    print(f"{title:34}{'total s':>9}{'µs/run':>9}{'peak MiB':>10}")
    for label, name in (("without evaluation", "plain"), ("with 5 checks inline", "graded")):
        seconds, peak = best[name]["seconds"], best[name]["peak_mib"]
        print(f"{label:34}{seconds:9.3f}{seconds / runs * 1e6:9.1f}{peak:10.1f}")
    share = best["graded"]["seconds"] / best["plain"]["seconds"] - 1
    print(
        f"inline evaluation adds {share:.1%} to the experiment  bar ≤ 10%: {_verdict(share <= 0.1)}"
    )
    scaled = regrade["seconds"] * 100_000 / runs
    print(
        f"evaluate experiment: {regrade['seconds']:.3f} s for {regrade['runs']} runs "
        f"({scaled:.2f} s per 100,000), peak {regrade['peak_mib']:.1f} MiB  "
        f"bar ≤ 3 s: {_verdict(scaled <= 3)}"
    )
    small_mib, large_mib = tenth["peak_mib"], best["graded"]["peak_mib"]
    print(
        f"graded run peak RSS: {small_mib:.1f} MiB at {tenth['runs']} runs, "
        f"{large_mib:.1f} MiB at {runs}  flat (≤ 1.2×): {_verdict(large_mib <= small_mib * 1.2)}"
    )


if __name__ == "__main__":
    main()
