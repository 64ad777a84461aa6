"""Experiment folders built by hand with known outcomes, for the comparison tests."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval_helpers import record

from fluxloop_core.results.models import ExperimentSummary, ResultStats

Outcomes = Mapping[str, Sequence[bool]]
"""input text -> one outcome per iteration (True: the run passed)."""


def write_experiment(
    folder: Path,
    outcomes: Outcomes,
    *,
    evaluated: bool = False,
    durations: Sequence[float] = (10.0,),
    outputs: Mapping[str, str] | None = None,
    metadata: Mapping[str, dict[str, Any]] | None = None,
) -> Path:
    """An experiment folder whose runs have ``outcomes``. Not evaluated: a failing run
    raised (status error). Evaluated: every run succeeded and evaluation/results.jsonl
    holds the outcome as its verdict. Run ``i`` of the experiment lasts
    ``durations[i % len(durations)]`` ms; an input's output is ``outputs[text]``
    (default ``answer to TEXT``)."""
    folder.mkdir(parents=True, exist_ok=True)
    traces, verdicts = [], []
    count = 0
    for index, (text, runs) in enumerate(outcomes.items()):
        for iteration, passed in enumerate(runs):
            failed = not passed and not evaluated
            run = record(
                None if failed else (outputs or {}).get(text, f"answer to {text}"),
                input_index=index,
                iteration=iteration,
                text=text,
                status="error" if failed else "success",
                error=("ValueError", "no") if failed else None,
                duration_ms=durations[count % len(durations)],
                metadata=(metadata or {}).get(text),
            )
            count += 1
            traces.append(json.dumps(run.model_dump(mode="json")))  # escapes lone surrogates
            verdicts.append(
                json.dumps(
                    {
                        "run_id": run.run_id,
                        "input_index": index,
                        "iteration": iteration,
                        "input": text,
                        "passed": passed,
                        "graded": True,
                        "score": float(passed),
                        "run_error": False,
                        "duration_ms": run.duration_ms,
                        "checks": [],
                    }
                )
            )
    (folder / "traces.jsonl").write_text("".join(line + "\n" for line in traces))
    if evaluated:
        (folder / "evaluation").mkdir(exist_ok=True)
        (folder / "evaluation" / "results.jsonl").write_text(
            "".join(line + "\n" for line in verdicts)
        )
    iterations = max((len(runs) for runs in outcomes.values()), default=0)
    summary = ExperimentSummary(
        name=folder.name,
        date="2026-12-01T00:00:00",
        started_at=f"2026-12-01T00:00:{len(list(folder.parent.iterdir())):02d}+00:00",
        finished_at="2026-12-01T00:01:00+00:00",
        results=ResultStats(
            total_runs=count, successful=count, failed=0, success_rate=1.0, avg_duration_ms=1
        ),
        inputs_count=len(outcomes),
        iterations=iterations,
        planned_runs=count,
    )
    (folder / "summary.json").write_text(summary.model_dump_json())
    return folder
