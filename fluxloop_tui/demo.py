"""A deterministic sample workspace, for the screenshots and the TUI tests."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.results.models import (
    CallbackCall,
    ErrorInfo,
    ExperimentSummary,
    ResultStats,
    TraceRecord,
)
from fluxloop_core.scaffold import create_project


def build_demo_workspace(root: Path) -> Path:
    """root/fluxloop/demo-agent with a fixed experiment; returns the project folder."""
    project = create_project(root, "demo-agent")
    (project / ".env").write_text("OPENAI_API_KEY=sk-demo-1234567890abcd\n")
    folder = project / "experiments" / "demo_20250930_150000"
    folder.mkdir(parents=True)
    runs = []
    for i in range(6):
        failed = i == 4
        runs.append(
            TraceRecord(
                run_id=f"{i}.0",
                input_index=i,
                iteration=0,
                input=f"Question number {i}",
                status="error" if failed else "success",
                started_at="2025-09-30T15:00:00",
                duration_ms=10.0 + i,
                output=None if failed else f"Processed: Question number {i}",
                callback_calls=[
                    CallbackCall(
                        parameter="send_message_callback",
                        provider="builtin:collector.send",
                        args=[{"reply": f"answer {i}"}],
                        timestamp="2025-09-30T15:00:01",
                    )
                ],
                spans=[{"name": "run", "kind": "agent", "status": "ok", "duration_ms": 9.5}],
                error=ErrorInfo(
                    type="ValueError",
                    message="bad question",
                    traceback="Traceback (most recent call last):\n"
                    '  File "agent.py", line 3\nValueError: bad question',
                )
                if failed
                else None,
            )
        )
    (folder / "traces.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in runs))
    stats = ResultStats(
        total_runs=6, successful=5, failed=1, success_rate=5 / 6, avg_duration_ms=12.5,
        p50_duration_ms=12.0, p95_duration_ms=15.0,
    )  # fmt: skip
    summary = ExperimentSummary(
        name="demo",
        date="2025-09-30T15:00:00",
        results=stats,
        started_at="2025-09-30T15:00:00",
        inputs_count=6,
        iterations=1,
        planned_runs=6,
        parallel_runs=2,
    )
    (folder / "summary.json").write_text(summary.model_dump_json(indent=2))
    return project
