"""Run an experiment: plan it, then schedule every run on an executor, writing as they end.

Public API (front ends call only these): :class:`RunOptions`, :class:`CancelToken`,
:func:`prepare_experiment`, :func:`run_experiment` (blocking; runs its own event loop, so
it may be called from a worker thread — it installs no signal handlers) and
:func:`run_single`. This module only wires the parts: :mod:`~fluxloop_core.runner.plan`
(which runs), :mod:`~fluxloop_core.runner.scheduler` (when, how many, retries, cancel),
the executors (how: :mod:`~fluxloop_core.runner.in_process`,
:mod:`~fluxloop_core.runner.worker_pool`) and :mod:`fluxloop_core.results.writer`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fluxloop_core.cancel import CancelToken
from fluxloop_core.config.env import SOURCE_PROCESS, LayeredEnv
from fluxloop_core.config.http_target import hidden_headers
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import ExperimentConfig
from fluxloop_core.config.sdk_env import sdk_variable_problems
from fluxloop_core.errors import ConfigError
from fluxloop_core.evaluation.aggregate import EvaluationSummary
from fluxloop_core.evaluation.files import RESULTS_FILE, evaluation_dir
from fluxloop_core.evaluation.inline import InlineEvaluation
from fluxloop_core.preflight.collector import probe_collector
from fluxloop_core.redaction import redactor
from fluxloop_core.results.models import ErrorInfo, ExperimentSummary
from fluxloop_core.results.writer import ExperimentWriter, new_experiment_dir
from fluxloop_core.runner import sdk
from fluxloop_core.runner.binding import RunInput
from fluxloop_core.runner.command_executor import command_executor
from fluxloop_core.runner.command_shipped import ShippedCommand
from fluxloop_core.runner.conversation import ConversationExecutor
from fluxloop_core.runner.events import EventSink, ExperimentFinished, ExperimentStarted
from fluxloop_core.runner.executor import Attempt, Executor, RunJob
from fluxloop_core.runner.http_executor import HttpExecutor, HttpSpec
from fluxloop_core.runner.in_process import InProcessExecutor
from fluxloop_core.runner.plan import (
    ExperimentPlan,
    RunOptions,
    prepare_experiment,
    run_environment,
)
from fluxloop_core.runner.resume import inputs_digest
from fluxloop_core.runner.scheduler import Scheduler, now
from fluxloop_core.runner.target import (
    SINGLE_IMPORT_HINT,
    SysPath,
    forget_user_modules,
    imports_kept_local,
    load_target,
)
from fluxloop_core.runner.worker_pool import SubprocessExecutor

__all__ = [
    "CancelToken",
    "ExperimentPlan",
    "ExperimentResult",
    "RunOptions",
    "SingleResult",
    "prepare_experiment",
    "run_experiment",
    "run_single",
]

COLLECTOR_FLUSH_SECONDS = 5.0
"""How long the end of an experiment waits for the SDK to send pending spans."""


@dataclass
class ExperimentResult:
    """What an experiment left: its summary, its folder, and warnings for the user."""

    summary: ExperimentSummary
    experiment_dir: Path
    warnings: list[str] = field(default_factory=list)
    evaluation: EvaluationSummary | None = None
    """The figures and the gate's verdict when the runs were graded."""


@dataclass
class SingleResult:
    """One call of ``run single``."""

    output: Any
    duration_ms: float
    error: ErrorInfo | None = None


def _configure_collector(loaded: LoadedConfig, options: RunOptions) -> list[str]:
    """Point the SDK at the collector (or keep it offline); warnings for the user."""
    url = loaded.config.collector_url(loaded.env) if options.use_collector else None
    if url is None:
        sdk.configure(use_collector=False)
        return []
    sdk.configure(
        collector_url=url,
        api_key=loaded.env.get("FLUXLOOP_API_KEY"),
        use_collector=True,
        collector_format=loaded.config.collector_format(loaded.env),
    )
    probe = probe_collector(url, loaded.config.collector.timeout_seconds)
    if probe.reachable:
        return []
    return [
        f"collector at {url} is not reachable ({probe.failure}); runs go on and "
        "their spans are kept in the experiment's artifacts/ (use --no-collector to "
        "run offline without this check)"
    ]


def _config_dump(config: ExperimentConfig) -> dict[str, Any]:
    # Values may be secrets expanded from .env or the environment: hidden as everywhere.
    data: dict[str, Any] = redactor().data(config.model_dump(mode="json"))
    http = data["runner"].get("http")
    if http is not None:
        http["headers"] = hidden_headers(http["headers"])
    return data


def executor_for(plan: ExperimentPlan, emit: EventSink | None = None) -> Executor:
    """The executor that runs ``plan``'s attempts (called on the scheduler's loop): with
    conversations, each of its attempts is one agent turn of a conversation, each told to
    ``emit`` as a TurnFinished."""
    executor = _turn_executor(plan)
    conversation = plan.conversation
    if conversation is None:
        return executor
    # Without history_param, a Class.method target run here keeps its history in itself:
    # one instance for the whole conversation.
    keeps_instance = isinstance(executor, InProcessExecutor) and conversation.history_param is None
    bind_agent = plan.target.bind if keeps_instance and plan.target is not None else None
    return ConversationExecutor(executor, conversation, bind_agent, emit)


def _turn_executor(plan: ExperimentPlan) -> Executor:
    """The one place that chooses where attempts run. ``executor: processes`` and
    ``runner.python_path`` both run in worker processes; ``executor: ray`` on a Ray
    cluster; ``runner.http`` sends requests from this process, or from Ray actors;
    ``runner.command`` talks to programs it starts, here or on Ray actors."""
    runner = plan.config.runner
    if runner.http is not None:
        if plan.executor == "ray":
            from fluxloop_core.runner.ray_spec_executor import RaySpecExecutor

            return RaySpecExecutor(plan, lambda share: HttpSpec.of(plan, share))
        return HttpExecutor(HttpSpec.of(plan))
    if runner.command is not None:
        if plan.executor == "ray":
            from fluxloop_core.runner.ray_spec_executor import RaySpecExecutor

            return RaySpecExecutor(plan, lambda share: ShippedCommand.of(plan, share))
        return command_executor(plan.command_spec())
    if plan.executor == "ray":
        # Imported here only: Ray is an optional extra and costs a second to import.
        from fluxloop_core.runner.ray_executor import RayExecutor

        return RayExecutor(plan)
    if plan.worker_python:
        return SubprocessExecutor(plan)
    assert plan.target is not None  # prepared in-process when there are no workers
    return InProcessExecutor(
        plan.target,
        plan.replay,
        plan.providers,
        plan.parallel_runs,
        runner.timeout_seconds,
        plan.history_param,
    )


class _Summary:
    """summary.json of one experiment, rewritten at each checkpoint."""

    def __init__(
        self,
        plan: ExperimentPlan,
        writer: ExperimentWriter,
        started: datetime,
        resumed: bool,
        evaluation: InlineEvaluation | None = None,
    ) -> None:
        self.plan = plan
        self.evaluation = evaluation
        self.evaluated: EvaluationSummary | None = None
        self.writer = writer
        self.started = started
        self.resumed = resumed
        self.inputs_digest = inputs_digest(plan.inputs)
        self.stop_reason: str | None = None

    def summary(self, *, final: bool) -> ExperimentSummary:
        """summary.json as of now; until the end it says interrupted, finished_at null."""
        plan = self.plan
        finished = now() if final else None
        stats = self.writer.stats.result()
        done = stats.total_runs
        interrupted = not final or done < plan.planned_runs
        if final and self.evaluation is not None:
            self.evaluated = self.evaluation.finish(self.writer.dir, interrupted=interrupted)
        return ExperimentSummary(
            name=plan.config.name,
            date=self.started.astimezone().replace(tzinfo=None).isoformat(timespec="seconds"),
            results=stats,
            started_at=self.started.isoformat(),
            finished_at=finished.isoformat() if finished else None,
            duration_seconds=round(((finished or now()) - self.started).total_seconds(), 3),
            inputs_count=len(plan.run_indices),
            iterations=plan.iterations,
            planned_runs=plan.planned_runs,
            parallel_runs=plan.parallel_runs,
            interrupted=interrupted,
            stop_reason=self.stop_reason,
            resumed=self.resumed,
            target=plan.config.runner.resolved_target,
            config=_config_dump(plan.config),
            config_file=str(plan.loaded.path),
            inputs_digest=self.inputs_digest,
            gate_flags=plan.options.stored_flags(),
            evaluation=self.evaluated.to_json() if self.evaluated else None,
            selected_inputs=None if plan.selected is None else list(plan.selected),
        )

    def checkpoint(self, *, final: bool = False) -> ExperimentSummary:
        """Flush trace lines and rewrite errors.json and summary.json."""
        self.writer.flush()
        summary = self.summary(final=final)
        self.writer.write_errors()
        self.writer.write_summary(summary.model_dump(mode="json"))
        return summary


def _open_writer(plan: ExperimentPlan, started: datetime) -> ExperimentWriter:
    output = plan.config.output_directory
    try:
        if plan.resume_dir is not None:
            return ExperimentWriter.reopen(plan.resume_dir)
        local = started.astimezone()
        return ExperimentWriter(new_experiment_dir(output, plan.config.name, local))
    except OSError as exc:
        where = plan.resume_dir or output
        raise ConfigError(
            f"cannot write the experiment's folder in {where}: {exc.strerror or exc}",
            file=plan.loaded.path,
            key="output_directory",
            hint="Point output_directory at a folder you can write (it is created if "
            "missing), or free the path if a file is in the way.",
        ) from None


def _start_evaluation(plan: ExperimentPlan, writer: ExperimentWriter) -> InlineEvaluation | None:
    """The inline evaluation, its results.jsonl opened on ``writer`` (on resume: the runs
    on disk graded first, the file rewritten to match traces.jsonl)."""
    if plan.evaluation is None:
        return None
    if plan.resume_dir is not None:
        evaluation = InlineEvaluation.resume(writer.dir, plan.evaluation, plan.gate)
    else:
        evaluation = InlineEvaluation(plan.evaluation, plan.gate)
    writer.open_results(evaluation_dir(writer.dir) / RESULTS_FILE)
    return evaluation


def run_experiment(
    loaded: LoadedConfig,
    options: RunOptions,
    *,
    on_event: EventSink | None = None,
    cancel: CancelToken | None = None,
) -> ExperimentResult:
    """Run the experiment ``loaded`` describes and write its folder; blocks until done.

    Raises a UserError (before writing anything) when the config cannot run. A cancel
    (``cancel.cancel()``) stops scheduling and returns with ``summary.interrupted``.
    """
    emit: EventSink = on_event or (lambda event: None)
    token = cancel or CancelToken()
    with imports_kept_local(), run_environment(loaded):
        plan = prepare_experiment(loaded, options)
        warnings = _configure_collector(loaded, options)
        started = now()
        writer = _open_writer(plan, started)
        # The writer holds the folder's lock: whatever fails from here, it is let go (a
        # long-lived TUI must be able to resume the folder later).
        with contextlib.closing(writer):
            evaluation = _start_evaluation(plan, writer)
            progress = _Summary(
                plan, writer, started, resumed=plan.resume_dir is not None, evaluation=evaluation
            )
            progress.checkpoint()
            emit(
                ExperimentStarted(
                    name=plan.config.name,
                    experiment_dir=writer.dir,
                    total_runs=plan.planned_runs,
                    inputs_count=len(plan.run_indices),
                    iterations=plan.iterations,
                    parallel_runs=plan.parallel_runs,
                    already_done=len(writer.done_ids),
                )
            )
            scheduler = Scheduler(
                plan,
                writer,
                emit,
                token,
                lambda: executor_for(plan, emit),
                progress.checkpoint,
                evaluation,
            )
            try:
                asyncio.run(scheduler.run())
            finally:
                progress.stop_reason = scheduler.stop_reason
                if evaluation is not None:
                    evaluation.close()  # a judge still waiting is not waited for
                summary = progress.checkpoint(final=True)
                if options.use_collector and not warnings:
                    # Hand the last spans to the collector while the user still waits for
                    # the summary, rather than in an exit handler they cannot see.
                    sdk.flush(COLLECTOR_FLUSH_SECONDS)
    emit(ExperimentFinished(summary=summary, experiment_dir=writer.dir))
    return ExperimentResult(
        summary=summary,
        experiment_dir=writer.dir,
        warnings=warnings,
        evaluation=progress.evaluated,
    )


def run_single(
    target: str, input_text: str, *, working_directory: Path | None = None
) -> SingleResult:
    """Call ``target`` once with ``input_text`` as its first argument (``run single``).

    A bad target raises TargetError; an exception from the agent is returned as ``error``.
    """
    folder = (working_directory or Path.cwd()).resolve()
    process = LayeredEnv(
        variables=dict(os.environ), sources=dict.fromkeys(os.environ, SOURCE_PROCESS)
    )
    bad_values = sdk_variable_problems(process)
    if bad_values:
        raise bad_values[0]
    with imports_kept_local(), SysPath(folder):
        forget_user_modules([target])
        resolved = load_target(target, folder, import_hint=SINGLE_IMPORT_HINT)
        return single_result(lambda: InProcessExecutor(resolved, None, None, 1), input_text)


def single_result(make: Callable[[], Executor], input_text: str) -> SingleResult:
    """One attempt of ``input_text`` on the executor ``make`` builds (on the loop that runs
    it; closed after), as ``run single`` prints it."""

    async def call() -> Attempt:
        executor = make()
        try:
            return await executor.attempt(RunJob("0.0", 0, 0, RunInput(input_text)))
        finally:
            await executor.close()

    attempt = asyncio.run(call())
    return SingleResult(output=attempt.output, duration_ms=attempt.duration_ms, error=attempt.error)
