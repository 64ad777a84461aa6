"""A deterministic sample workspace, for the screenshots and the TUI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.results.models import (
    CallbackCall,
    ErrorInfo,
    ExperimentSummary,
    ResultStats,
    TraceRecord,
)
from fluxloop_core.scaffold import create_project

DEMO_TARGET = "examples.replay_agent:MessageHandler.handle_message"


def _recorded(iteration: int, content: str, second: int) -> dict[str, Any]:
    return {
        "_version": "1",
        "iteration": iteration,
        "target": DEMO_TARGET,
        "kwargs": {
            "connection_id": f"conn-{iteration}",
            "data": {
                "content": content,
                "messages": [
                    {"role": "system", "content": "Be brief."},
                    {"role": "user", "content": content},
                ],
            },
            "user_connection": {"user_id": "u-42", "locale": "en"},
            "send_message_callback": "<builtin:collector.send>",
            "send_error_callback": "<callable:app.errors:report>",
        },
        "timestamp": f"2025-09-30T14:00:{second:02d}+00:00",
    }


def write_demo_recording(project: Path) -> Path:
    """recordings/args.jsonl (the config's recording_file): four calls and a broken line.

    ``send_message_callback`` has a provider in the config, ``send_error_callback`` none.
    """
    lines = [
        json.dumps(_recorded(0, "What is my balance?", 1)),
        json.dumps(_recorded(1, "Cancel my order 1234", 2)),
        '{"_version": "1", "iteration": 2, "target": "examples.replay_agent"',
        json.dumps(_recorded(2, "Où est mon colis ?", 4)),
        json.dumps(
            {
                **_recorded(0, "ping", 5),
                "target": "examples.simple_agent:run",
                "kwargs": {"input_text": "ping"},
            }
        ),
    ]
    path = project / "recordings" / "args.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    update_config_values(
        project / "setting.yaml",
        {"replay_args.callable_providers.send_message_callback": "builtin:collector.send"},
    )
    return path


def build_demo_workspace(root: Path) -> Path:
    """root/fluxloop/demo-agent with a fixed experiment; returns the project folder."""
    project = create_project(root, "demo-agent")
    (project / ".env").write_text("OPENAI_API_KEY=sk-demo-1234567890abcd\n")
    if not any((project / "recordings").glob("*.jsonl")):
        write_demo_recording(project)
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
        finished_at="2025-09-30T15:00:12",  # finished: readers trust its counts
        inputs_count=6,
        iterations=1,
        planned_runs=6,
        parallel_runs=2,
    )
    (folder / "summary.json").write_text(summary.model_dump_json(indent=2))
    return project
