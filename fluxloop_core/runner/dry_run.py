"""``run experiment --dry-run``: everything a run would check and decide, nothing run.

The plan is prepared exactly as :func:`~fluxloop_core.runner.experiment.run_experiment`
prepares it (every pre-run rule, the target imported, replay bindings and providers
resolved, checks compiled), so a dry run that passes means the run would start; then it
is described instead of scheduled. Nothing is written and the agent is never called.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.counts import counted
from fluxloop_core.preflight.command import program_path
from fluxloop_core.redaction import redact
from fluxloop_core.runner.dry_run_conversation import describe_conversations
from fluxloop_core.runner.http_single import first_request
from fluxloop_core.runner.plan import (
    ExperimentPlan,
    RunOptions,
    prepare_experiment,
    run_environment,
)
from fluxloop_core.runner.target import imports_kept_local

SHOWN_BINDINGS = 5


@dataclass(frozen=True)
class PlanDescription:
    """What an experiment would do."""

    name: str
    target: str
    runs_in: str
    inputs: int
    iterations: int
    planned_runs: int
    parallel_runs: int
    output_directory: Path
    collector: str
    resume: Path | None = None
    replay: dict[str, Any] | None = None
    checks: list[str] = field(default_factory=list)
    gate: dict[str, Any] | None = None
    http: bool = False
    """The target is an endpoint (``runner.http``): nothing is imported, nothing contacted."""
    conversation: dict[str, Any] | None = None
    """Each run is a conversation: :func:`.dry_run_conversation.describe_conversations`."""
    command: dict[str, Any] | None = None
    """The target is a program (``runner.command``): its protocol and where it was found;
    it is not started."""
    request: dict[str, Any] | None = None
    """``runner.http``: the first run's request, redacted (method, url, headers, body)."""

    def to_json(self) -> dict[str, Any]:
        """The description as plain JSON values."""
        return {
            "name": self.name,
            "target": self.target,
            "runs_in": self.runs_in,
            "http": self.http,
            "command": self.command,
            "request": self.request,
            "inputs": self.inputs,
            "iterations": self.iterations,
            "planned_runs": self.planned_runs,
            "parallel_runs": self.parallel_runs,
            "output_directory": str(self.output_directory),
            "collector": self.collector,
            "resume": str(self.resume) if self.resume else None,
            "replay": self.replay,
            "checks": self.checks,
            "gate": self.gate,
            "conversation": self.conversation,
        }


def _where_runs_go(plan: ExperimentPlan) -> str:
    ray = f"Ray at {plan.ray_address}" if plan.ray_address else "a local Ray started for it"
    if plan.config.runner.command is not None:
        on_ray = plan.executor == "ray"
        where = f"the actors of {ray}" if on_ray else "this process"
        if plan.command_spec().protocol == "per_run":
            return f"{where}: the program started once per run (per_run)"
        copies = counted(plan.parallel_runs, "long-lived copy", "long-lived copies")
        return f"{where}: {copies} of the program{' in all' if on_ray else ''} (jsonl)"
    if plan.executor == "ray":
        return ray
    python = plan.worker_python
    if python is not None:
        return f"{plan.executor} executor: worker processes of {python}"
    return "this process (local executor)"


def _command(loaded: LoadedConfig, plan: ExperimentPlan) -> dict[str, Any] | None:
    if plan.config.runner.command is None:
        return None
    spec = plan.command_spec()
    return {
        "protocol": spec.protocol,
        "program": redact(program_path(loaded, spec.variables) or "?"),
        "working_directory": str(spec.folder),
    }


def describe_plan(loaded: LoadedConfig, options: RunOptions) -> PlanDescription:
    """Prepare ``loaded``'s experiment as a run would and describe it; a UserError (exit
    2) for whatever would stop the run."""
    with imports_kept_local(), run_environment(loaded):
        plan = prepare_experiment(loaded, options)
    config = plan.config
    runner = config.runner
    replay = None
    if plan.replay is not None:
        bindings = [
            f"input #{job.input_index} <- line {job.call.line_number}"
            for job in islice(plan.jobs(set()), SHOWN_BINDINGS)  # iteration 0 comes first
            if job.call is not None
        ]
        replay = {
            "recording_file": str(plan.replay.recording_file),
            "recorded_calls": len(plan.replay.calls),
            "override_param_path": plan.replay.override_path,
            "providers": dict(plan.providers.specs) if plan.providers else {},
            "first_bindings": bindings,
        }
    url = config.collector_url(loaded.env) if options.use_collector else None
    collector = f"traces sent to {url}" if url and config.collector.enabled else "off"
    gate = None
    if plan.evaluation is not None:
        gate = {
            "min_pass_rate": plan.gate.min_pass_rate,
            "min_input_pass_rate": plan.gate.min_input_pass_rate,
            "fail_on_flaky": plan.gate.fail_on_flaky,
        }
    return PlanDescription(
        name=config.name,
        target=runner.resolved_target,
        runs_in=_where_runs_go(plan),
        http=runner.http is not None,
        command=_command(loaded, plan),
        request=first_request(plan),
        inputs=len(plan.inputs),
        iterations=plan.iterations,
        planned_runs=plan.planned_runs,
        parallel_runs=plan.parallel_runs,
        output_directory=config.output_directory,
        collector=collector,
        resume=plan.resume_dir,
        replay=replay,
        checks=plan.evaluation.check_names if plan.evaluation is not None else [],
        gate=gate,
        conversation=describe_conversations(plan),
    )
