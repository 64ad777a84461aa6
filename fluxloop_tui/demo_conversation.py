"""A conversations experiment in the demo workspace, for the run detail's chat transcript
in screenshots and tests: ``chat_20250929_120000``, older than the demo's own experiment,
so every other screen stays as it was.

Run 0.0 is a scripted conversation the persona ended (a callback call and a tool span on
its second agent turn); run 1.0 one whose agent raised on its second turn.
:func:`conversations_in_progress` shows the run screen while three conversations run.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxloop_core.results.models import ErrorInfo, ExperimentSummary, TraceRecord
from fluxloop_core.results.stats import Stats
from fluxloop_core.runner.events import ExperimentStarted, TurnFinished
from fluxloop_core.runner.experiment import RunOptions
from fluxloop_tui.session import ExperimentSession

if TYPE_CHECKING:
    from fluxloop_tui.app import FluxLoopApp

NAME = "chat_20250929_120000"
STARTED = "2025-09-29T12:00:00"
CALL = {
    "parameter": "send_message_callback",
    "provider": "builtin:collector.send",
    "args": [{"reply": "Your order ships tomorrow."}],
    "kwargs": {},
    "timestamp": "2025-09-29T12:00:01",
}
BOOM = ErrorInfo(type="ValueError", message="no such order: 999")


def _user(content: str, source: str) -> dict[str, Any]:
    return {"role": "user", "content": content, "source": source}


def _agent(
    content: Any,
    duration_ms: float,
    *,
    calls: list[dict[str, Any]] | None = None,
    spans: list[dict[str, Any]] | None = None,
    error: ErrorInfo | None = None,
) -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": content,
        "source": "agent",
        "duration_ms": duration_ms,
        "status": "error" if error else "success",
        "error": error.model_dump(mode="json") if error else None,
        "callback_calls": calls or [],
        "spans": spans or [],
    }


CONVERSATIONS: list[tuple[str, str, list[dict[str, Any]], str]] = [
    (
        "Where is my order 1234?",
        "impatient_customer",
        [
            _user("Where is my order 1234?", "input"),
            _agent("Order 1234 is packed.", 41.5),
            _user("And when does it ship?", "persona:impatient_customer"),
            _agent(
                "Your order ships tomorrow.",
                87.25,
                calls=[CALL],
                spans=[{"name": "lookup_order", "kind": "tool", "status": "ok"}],
            ),
            _user("Thanks.", "persona:impatient_customer"),
            _agent("You are welcome!", 12.0),
        ],
        "stop_condition",
    ),
    (
        "Cancel order 999",
        "curious",
        [
            _user("Cancel order 999", "input"),
            _agent("Which order do you mean?", 30.0),
            _user("Order 999, please.", "persona:curious"),
            _agent(None, 55.0, error=BOOM),
        ],
        "agent_error",
    ),
]


def _record(index: int) -> TraceRecord:
    text, persona, turns, reason = CONVERSATIONS[index]
    agent = [turn for turn in turns if turn["role"] == "assistant"]
    last = agent[-1]
    return TraceRecord.model_validate(
        {
            "run_id": f"{index}.0",
            "input_index": index,
            "iteration": 0,
            "input": text,
            "status": last["status"],
            "started_at": STARTED,
            "duration_ms": sum(turn["duration_ms"] for turn in agent) + 5.0,
            "output": last["content"],
            "callback_calls": [call for turn in agent for call in turn["callback_calls"]],
            "spans": [span for turn in agent for span in turn["spans"]],
            "error": last["error"],
            "turns": turns,
            "turn_count": len(agent),
            "termination_reason": reason,
            "persona": persona,
        }
    )


def add_conversation_experiment(project: Path) -> Path:
    """Write the conversations experiment into ``project``'s experiments/."""
    folder = project / "experiments" / NAME
    folder.mkdir(parents=True)
    stats = Stats()
    records = [_record(index) for index in range(len(CONVERSATIONS))]
    for record in records:
        stats.add(record)
    (folder / "traces.jsonl").write_text("".join(r.model_dump_json() + "\n" for r in records))
    summary = ExperimentSummary(
        name="chat",
        date=STARTED,
        results=stats.result(),
        started_at=STARTED,
        finished_at="2025-09-29T12:00:03",
        inputs_count=len(records),
        iterations=1,
        planned_runs=len(records),
        parallel_runs=2,
    )
    (folder / "summary.json").write_text(summary.model_dump_json(indent=2))
    return folder


def conversations_in_progress(app: FluxLoopApp, experiment_dir: Path) -> ExperimentSession:
    """A session whose runner told of three conversations in progress (3, 1 and 2 of 6
    turns taken), made the app's; nothing runs (``session.running`` is for the caller)."""
    session = ExperimentSession(app.load_config(), RunOptions())
    app.session = session
    session.on_event(ExperimentStarted("demo", experiment_dir, 9, 3, 3, 3))
    for run_id, turns in (("0.0", 3), ("1.0", 1), ("2.0", 2)):
        for turn in range(1, turns + 1):
            session.on_event(TurnFinished(run_id, turn, 6, "success"))
    return session
