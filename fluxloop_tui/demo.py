"""A deterministic sample workspace, for the screenshots and the TUI tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fluxloop_core.config.edit import update_config_values
from fluxloop_core.config.project import open_config
from fluxloop_core.evaluation.checks import Check, CheckOutcome
from fluxloop_core.evaluation.reading import RunView
from fluxloop_core.evaluation.regrade import regrade_experiment
from fluxloop_core.evaluation.spec import LLMJudgeEvaluator
from fluxloop_core.evaluation.verdicts import compile_plan
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


DEMO_EVALUATION = """
evaluation:
  checks:
    - check: output_not_empty
    - check: not_contains
      keywords: ["I cannot"]
    - check: latency_under
      budget_ms: 2000
  evaluators:
    - name: tone
      type: llm_judge
      prompt_template: "Is this answer to {input} polite and to the point? {output}"
  gate:
    min_pass_rate: 0.9
"""

# The demo experiment: 3 inputs × 2 iterations. Input 0 always passes; input 1 is flaky
# (its second answer fails not_contains); input 2 raised once, and once its judge did not
# answer (a grading error).
DEMO_INPUTS = ("What is my balance?", "Cancel my order 1234", "Où est mon colis ?")
DEMO_OUTPUTS: dict[str, str | None] = {
    "0.0": "Your balance is 42 USD",
    "0.1": "Your balance is 42 USD",
    "1.0": "Order 1234 is cancelled.",
    "1.1": "I cannot help with that",
    "2.0": None,
    "2.1": "Il arrive demain.",
}
AGENT_ERROR_RUN = "2.0"


class _DemoJudge(Check):
    """The demo's ``tone`` judge, answering without a model: a refusal scores low, and on
    run 2.1 it "did not answer" (a grading error), as a judge behind a busy server would."""

    __slots__ = ()

    def grade(self, run: RunView) -> CheckOutcome:
        if run.record.run_id == "2.1":
            return self.error("the judge did not answer (HTTP 429 after 3 retries)")
        if "I cannot" in run.text():
            return self.fail("refuses a simple request", score=0.2)
        return CheckOutcome(self.name, True, 0.9)


def _demo_judge(spec: LLMJudgeEvaluator, key: str) -> Check:
    return _DemoJudge(spec.name)


def _demo_run(input_index: int, iteration: int) -> TraceRecord:
    run_id = f"{input_index}.{iteration}"
    failed = run_id == AGENT_ERROR_RUN
    output = DEMO_OUTPUTS[run_id]
    return TraceRecord(
        run_id=run_id,
        input_index=input_index,
        iteration=iteration,
        input=DEMO_INPUTS[input_index],
        status="error" if failed else "success",
        started_at="2025-09-30T15:00:00",
        duration_ms=10.0 + 2 * input_index + iteration,
        output=output,
        callback_calls=[
            CallbackCall(
                parameter="send_message_callback",
                provider="builtin:collector.send",
                args=[{"reply": output}],
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


def _grade_demo(project: Path, folder: Path) -> dict[str, Any]:
    """Grade the demo's runs with the project's checks (the judge answering as above):
    evaluation/results.jsonl and summary.json, as `fluxloop evaluate experiment` writes
    them; returns the summary's JSON for the run's summary.json."""
    loaded = open_config(project=str(project))
    evaluation = loaded.config.evaluation
    assert evaluation is not None
    plan = compile_plan(evaluation, working_directory=project, judge=_demo_judge)
    return regrade_experiment(folder, plan, evaluation.gate).to_json()


def build_demo_workspace(root: Path) -> Path:
    """root/fluxloop/demo-agent with a fixed, evaluated experiment; returns the project
    folder."""
    project = create_project(root, "demo-agent")
    (project / ".env").write_text("OPENAI_API_KEY=sk-demo-1234567890abcd\n")
    with open(project / "setting.yaml", "a", encoding="utf-8") as config:
        config.write(DEMO_EVALUATION)
    if not any((project / "recordings").glob("*.jsonl")):
        write_demo_recording(project)
    folder = project / "experiments" / "demo_20250930_150000"
    folder.mkdir(parents=True)
    runs = [_demo_run(index, iteration) for index in range(3) for iteration in range(2)]
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
        inputs_count=3,
        iterations=2,
        planned_runs=6,
        parallel_runs=2,
    )
    (folder / "summary.json").write_text(summary.model_dump_json(indent=2))
    evaluated = summary.model_copy(update={"evaluation": _grade_demo(project, folder)})
    (folder / "summary.json").write_text(evaluated.model_dump_json(indent=2))
    return project
