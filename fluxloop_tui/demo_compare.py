"""Two more experiments in the demo workspace, for the comparison's screenshots and tests:
``support_20250928_090000`` (the base) and ``support_20250929_090000`` (the candidate),
both older than the demo's own experiment, so every other screen stays as it was.

Per input (10 iterations each): one regressed, one improved, one unchanged with other
text, one unchanged, one gone and one new.
"""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.results.models import ErrorInfo, ExperimentSummary, TraceRecord
from fluxloop_core.results.stats import Stats

BASE_NAME = "support_20250928_090000"
CANDIDATE_NAME = "support_20250929_090000"
ITERATIONS = 10

# input -> (runs that succeed of 10, output) for base and candidate; None: not run.
Side = tuple[int, str] | None
PLAN: dict[str, tuple[Side, Side]] = {
    "What is my balance?": ((10, "Your balance is 42 USD."), (3, "Your balance is 42 USD.")),
    "Track my parcel": ((2, "Your parcel is on its way."), (10, "Your parcel is on its way.")),
    "Cancel my order 1234": (
        (10, "Order 1234 is cancelled."),
        (10, "Order 1234 is cancelled; a refund of 20 USD follows within 3 days."),
    ),
    "Reset my password": ((9, "A reset link was sent."), (8, "A reset link was sent.")),
    "Talk to a human": ((10, "An agent will call you back."), None),
    "Change my address": (None, (7, "Your address is updated.")),
}


def _write(folder: Path, side: int, day: int) -> None:
    folder.mkdir(parents=True)
    stats = Stats()
    lines = []
    texts = [text for text, sides in PLAN.items() if sides[side] is not None]
    for index, text in enumerate(texts):
        plan = PLAN[text][side]
        assert plan is not None
        succeeding, output = plan
        for iteration in range(ITERATIONS):
            failed = iteration >= succeeding
            duration = 120.0 + 15 * index + 7 * iteration + (40 if side else 0)
            record = TraceRecord(
                run_id=f"{index}.{iteration}",
                input_index=index,
                iteration=iteration,
                input=text,
                status="error" if failed else "success",
                started_at=f"2025-09-{day}T09:00:00",
                duration_ms=duration,
                output=None if failed else output,
                error=ErrorInfo(type="TimeoutError", message="the support API did not answer")
                if failed
                else None,
            )
            stats.add(record)
            lines.append(record.model_dump_json() + "\n")
    (folder / "traces.jsonl").write_text("".join(lines))
    summary = ExperimentSummary(
        name="support",
        date=f"2025-09-{day}T09:00:00",
        results=stats.result(),
        started_at=f"2025-09-{day}T09:00:00",
        finished_at=f"2025-09-{day}T09:00:30",
        inputs_count=len(texts),
        iterations=ITERATIONS,
        planned_runs=len(texts) * ITERATIONS,
        parallel_runs=4,
    )
    (folder / "summary.json").write_text(summary.model_dump_json(indent=2))


def add_compare_experiments(project: Path) -> tuple[Path, Path]:
    """Write the base and candidate experiments into ``project``'s experiments/."""
    base = project / "experiments" / BASE_NAME
    candidate = project / "experiments" / CANDIDATE_NAME
    _write(base, 0, 28)
    _write(candidate, 1, 29)
    return base, candidate
