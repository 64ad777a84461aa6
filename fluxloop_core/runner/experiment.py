"""Run an experiment: validate everything, then every input × iteration against the target.

Public API (front ends call only these): :class:`RunOptions`, :class:`CancelToken`,
:func:`prepare_experiment`, :func:`run_experiment` (blocking; runs its own event loop, so
it may be called from a worker thread — it installs no signal handlers) and
:func:`run_single`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from fluxloop_core.config.env import SOURCE_PROCESS, LayeredEnv
from fluxloop_core.config.loader import LoadedConfig, parse_yaml
from fluxloop_core.config.models import MAX_PARALLEL_RUNS, ExperimentConfig
from fluxloop_core.config.sdk_env import run_variable_problems, sdk_variable_problems
from fluxloop_core.errors import (
    ConfigError,
    InputsError,
    ReplayError,
    TargetError,
    UsageError,
    UserError,
)
from fluxloop_core.inputs import load_inputs_file
from fluxloop_core.recording import missing_providers
from fluxloop_core.redaction import redactor
from fluxloop_core.results.models import (
    ErrorInfo,
    ExperimentSummary,
    TraceRecord,
)
from fluxloop_core.results.writer import ExperimentWriter, new_experiment_dir
from fluxloop_core.runner import sdk
from fluxloop_core.runner.binding import Replay, RunInput, load_replay, recorded_callables
from fluxloop_core.runner.cancel import CancelToken
from fluxloop_core.runner.environment import RunEnvironment
from fluxloop_core.runner.events import (
    EventSink,
    ExperimentFinished,
    ExperimentStarted,
    LoopBlocked,
    RunFailed,
    RunFinished,
    RunStarted,
)
from fluxloop_core.runner.executor import Attempt, Executor, InProcessExecutor, RunJob
from fluxloop_core.runner.providers import Providers, load_providers
from fluxloop_core.runner.resume import (
    ResumeCheck,
    check_same_experiment,
    inputs_digest,
    resume_iterations,
    stored_experiment,
)
from fluxloop_core.runner.target import (
    IMPORT_HINT,
    SINGLE_IMPORT_HINT,
    SysPath,
    Target,
    forget_user_modules,
    imports_kept_local,
    load_target,
)

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
GRACE_SECONDS = 5.0
"""How long runs in flight may finish after a graceful cancel."""
CHECKPOINT_SECONDS = 5.0
"""How often summary.json is refreshed while runs go on (so a crash leaves recent counts)."""
TICK_SECONDS = 0.2


@dataclass
class RunOptions:
    """Command-line overrides of the config."""

    iterations: int | None = None
    parallel_runs: int | None = None
    use_collector: bool = True
    resume_dir: Path | None = None


@dataclass
class ExperimentPlan:
    """Everything validated: what runs, against what, and where results go."""

    loaded: LoadedConfig
    target: Target | None
    inputs: list[RunInput]
    iterations: int
    parallel_runs: int
    replay: Replay | None = None
    providers: Providers | None = None
    callables: dict[int, list[str]] = field(default_factory=dict)
    resume_dir: Path | None = None

    @property
    def config(self) -> ExperimentConfig:
        """The experiment's config."""
        return self.loaded.config

    @property
    def planned_runs(self) -> int:
        """inputs × iterations."""
        return len(self.inputs) * self.iterations

    def jobs(self, skip: set[str]) -> Iterator[RunJob]:
        """Every run not in ``skip``, iteration by iteration (each input once per round)."""
        for iteration in range(self.iterations):
            for index, run_input in enumerate(self.inputs):
                run_id = f"{index}.{iteration}"
                if run_id in skip:
                    continue
                if self.replay is None:
                    yield RunJob(run_id, index, iteration, run_input)
                    continue
                call = self.replay.call_for(index, run_input)
                callables = tuple(self.callables.get(call.line_number, ()))
                yield RunJob(run_id, index, iteration, run_input, call, callables)


@dataclass
class ExperimentResult:
    """What an experiment left: its summary, its folder, and warnings for the user."""

    summary: ExperimentSummary
    experiment_dir: Path
    warnings: list[str] = field(default_factory=list)


@dataclass
class SingleResult:
    """One call of ``run single``."""

    output: Any
    duration_ms: float
    error: ErrorInfo | None = None


def _run_variables(loaded: LoadedConfig) -> dict[str, str]:
    # Values from .env files (the process already has its own) plus runner.environment_vars.
    return {**loaded.env.dotenv_values(), **loaded.config.runner.environment_vars}


def _environment(loaded: LoadedConfig) -> RunEnvironment:
    folder = loaded.config.runner.working_directory
    if not folder.is_dir():
        raise ConfigError(
            f"working_directory {folder} is not a folder",
            key="runner.working_directory",
            hint=IMPORT_HINT,
        )
    return RunEnvironment(folder, _run_variables(loaded), loaded.config.runner)


def _load_inputs(config: ExperimentConfig) -> list[RunInput]:
    if config.inputs_file is not None:
        loaded = load_inputs_file(config.inputs_file)
        inputs = [RunInput(item.input, item.metadata) for item in loaded.inputs]
        where = f"inputs_file {config.inputs_file}"
    else:
        inputs = [RunInput(item.input, item.metadata) for item in config.base_inputs]
        where = "base_inputs"
    if not inputs:
        raise InputsError(
            f"no inputs to run: {where} is empty",
            key="inputs_file" if config.inputs_file is not None else "base_inputs",
            hint='Add items like `- input: "Hello"` under base_inputs, or generate some '
            "with `fluxloop generate inputs --config setting.yaml`.",
        )
    return inputs


def _missing_providers_error(missing: list[str]) -> ReplayError:
    lines = "\n".join(f'      {name}: "builtin:collector.send"' for name in missing)
    return ReplayError(
        "Missing callable providers for recorded parameters: " + ", ".join(missing),
        key="replay_args.callable_providers",
        hint="Add a provider for each to setting.yaml:\n"
        f"  replay_args:\n    callable_providers:\n{lines}",
    )


def _locate(error: UserError, loaded: LoadedConfig) -> UserError:
    """Point an error about a config key at that key's line in setting.yaml."""
    if error.file is not None or error.key is None:
        return error
    error.file = str(loaded.path)
    try:
        _, positions = parse_yaml(loaded.raw_text, loaded.path)
    except UserError:
        return error
    path = tuple(error.key.split("."))
    for end in range(len(path), 0, -1):
        if path[:end] in positions:
            error.line, error.column = positions[path[:end]]
            break
    return error


def prepare_experiment(loaded: LoadedConfig, options: RunOptions) -> ExperimentPlan:
    """Validate everything a run needs — target, inputs, recording, providers, override
    path, resume folder — and raise a UserError before anything is written."""
    try:
        return _prepare(loaded, options)
    except UserError as error:
        raise _locate(error, loaded) from None


def _prepare(loaded: LoadedConfig, options: RunOptions) -> ExperimentPlan:
    config = loaded.config
    runner = config.runner
    bad_values = run_variable_problems(loaded)
    if bad_values:
        raise bad_values[0]
    if options.parallel_runs is not None and options.parallel_runs > MAX_PARALLEL_RUNS:
        raise UsageError(f"--parallel-runs must be at most {MAX_PARALLEL_RUNS}")
    iterations = options.iterations
    stored = None
    if options.resume_dir is not None:
        stored = stored_experiment(options.resume_dir)
        iterations = resume_iterations(stored, options.iterations)
    plan = ExperimentPlan(
        loaded=loaded,
        target=None,
        inputs=_load_inputs(config),
        iterations=iterations or config.iterations,
        parallel_runs=options.parallel_runs or config.parallel_runs,
        resume_dir=options.resume_dir,
    )
    if stored is not None and options.resume_dir is not None:
        now = ResumeCheck(
            runner.resolved_target, config.iterations, options.iterations, plan.inputs
        )
        check_same_experiment(options.resume_dir, stored, now)
    with _environment(loaded):
        if runner.python_path:
            _check_worker_target(loaded)
        else:
            providers = config.replay_args.callable_providers.values()
            custom = [s for s in providers if not s.startswith("builtin:")]
            forget_user_modules([runner.resolved_target, *custom])
            plan.target = load_target(runner.resolved_target, runner.working_directory)
        replay = config.replay_args
        if replay.enabled:
            assert replay.recording_file is not None  # the config model requires it
            plan.replay = load_replay(
                replay.recording_file, runner.resolved_target, replay.override_param_path
            )
            missing = missing_providers(plan.replay.calls, replay.callable_providers)
            if missing:
                raise _missing_providers_error(missing)
            plan.providers = load_providers(
                replay.callable_providers, import_custom=not runner.python_path
            )
            plan.callables = recorded_callables(plan.replay.calls)
    return plan


def _check_worker_target(loaded: LoadedConfig) -> None:
    from fluxloop_core.validation import check_target_importable

    problem = check_target_importable(loaded.config.runner, env=_run_variables(loaded))
    if problem is not None:
        hint = IMPORT_HINT if problem.key == "runner.target" else None
        raise TargetError(problem.message, file=loaded.path, key=problem.key, hint=hint)


def _now() -> datetime:
    return datetime.now(UTC)


def _configure_collector(loaded: LoadedConfig, options: RunOptions) -> list[str]:
    """Point the SDK at the collector (or keep it offline); warnings for the user."""
    url = loaded.config.collector_url(loaded.env) if options.use_collector else None
    if url is None:
        sdk.configure(use_collector=False)
        return []
    sdk.configure(collector_url=url, api_key=loaded.env.get("FLUXLOOP_API_KEY"), use_collector=True)
    import httpx

    try:
        httpx.get(url, timeout=loaded.config.collector.timeout_seconds)
    except httpx.HTTPError as exc:
        return [
            f"collector at {url} is not reachable ({type(exc).__name__}); runs go on and "
            "their spans are kept in the experiment's artifacts/ (use --no-collector to "
            "run offline without this check)"
        ]
    return []


def _config_dump(config: ExperimentConfig) -> dict[str, Any]:
    # Values may be secrets expanded from .env or the environment: hidden as everywhere.
    data: dict[str, Any] = redactor().data(config.model_dump(mode="json"))
    return data


class _Experiment:
    """One experiment's run on one event loop; every result funnels through this thread."""

    def __init__(
        self,
        plan: ExperimentPlan,
        writer: ExperimentWriter,
        emit: EventSink,
        cancel: CancelToken,
        started: datetime,
        resumed: bool,
    ) -> None:
        self.plan = plan
        self.writer = writer
        self.emit = emit
        self.cancel = cancel
        self.started = started
        self.resumed = resumed
        self.name = writer.dir.name
        self.inputs_digest = inputs_digest(plan.inputs)
        self._inflight: set[asyncio.Task[None]] = set()
        self._loop_blocked_told = False

    def summary(self, *, final: bool) -> ExperimentSummary:
        """summary.json as of now; until the end it says interrupted, finished_at null."""
        plan = self.plan
        finished = _now() if final else None
        stats = self.writer.stats.result()
        done = stats.total_runs
        return ExperimentSummary(
            name=plan.config.name,
            date=self.started.astimezone().replace(tzinfo=None).isoformat(timespec="seconds"),
            results=stats,
            started_at=self.started.isoformat(),
            finished_at=finished.isoformat() if finished else None,
            duration_seconds=round(((finished or _now()) - self.started).total_seconds(), 3),
            inputs_count=len(plan.inputs),
            iterations=plan.iterations,
            planned_runs=plan.planned_runs,
            parallel_runs=plan.parallel_runs,
            interrupted=not final or done < plan.planned_runs,
            resumed=self.resumed,
            target=plan.config.runner.resolved_target,
            config=_config_dump(plan.config),
            config_file=str(plan.loaded.path),
            inputs_digest=self.inputs_digest,
        )

    def checkpoint(self, *, final: bool = False) -> ExperimentSummary:
        """Flush trace lines and rewrite errors.json and summary.json."""
        self.writer.flush()
        summary = self.summary(final=final)
        self.writer.write_errors()
        self.writer.write_summary(summary.model_dump(mode="json"))
        return summary

    def _executor(self) -> Executor:
        plan = self.plan
        if plan.config.runner.python_path:
            from fluxloop_core.runner.worker_pool import SubprocessExecutor

            return SubprocessExecutor(plan)
        assert plan.target is not None
        return InProcessExecutor(
            plan.target,
            plan.replay,
            plan.providers,
            plan.parallel_runs,
            plan.config.runner.timeout_seconds,
        )

    async def _run_one(self, executor: Executor, job: RunJob) -> None:
        runner = self.plan.config.runner
        self.emit(RunStarted(job.run_id, job.input.text, job.iteration))
        started_at = _now().isoformat()
        attempts = 0
        while True:
            attempts += 1
            result = await executor.attempt(job, runner.timeout_seconds)
            self._tell_if_loop_blocked(job, result)
            if attempts == 1 and result.started is not None:
                # The run may have waited in the pool's queue: its start is the thread's.
                waited = time.monotonic() - result.started
                started_at = (_now() - timedelta(seconds=waited)).isoformat()
            if result.status != "error" or attempts > runner.max_retries or self.cancel.cancelled:
                break
            await asyncio.sleep(runner.retry_delay)
        replay = self.plan.replay
        record = TraceRecord(
            run_id=job.run_id,
            input_index=job.input_index,
            iteration=job.iteration,
            input=job.input.text,
            input_metadata=job.input.metadata,
            status=result.status,
            started_at=started_at,
            duration_ms=round(result.duration_ms, 3),
            attempts=attempts,
            output=result.output,
            callback_calls=result.callback_calls,
            spans=result.spans,
            error=result.error,
            replay_source=replay.source(job.call) if replay and job.call else None,
        )
        written = self.writer.add_run(record)
        if written.status == "success":
            preview = json.dumps(written.output, ensure_ascii=False)[:200]
            self.emit(
                RunFinished(
                    job.run_id,
                    written.input,
                    job.iteration,
                    written.duration_ms,
                    attempts,
                    preview,
                )
            )
        else:
            assert written.error is not None
            status: Literal["error", "timeout"] = (
                "timeout" if written.status == "timeout" else "error"
            )
            self.emit(
                RunFailed(
                    job.run_id,
                    written.input,
                    job.iteration,
                    written.duration_ms,
                    attempts,
                    status,
                    f"{written.error.type}: {written.error.message}",
                )
            )

    def _tell_if_loop_blocked(self, job: RunJob, result: Attempt) -> None:
        """Warn, once, that an async agent blocked the loop past ``timeout_seconds``."""
        timeout = self.plan.config.runner.timeout_seconds
        if self._loop_blocked_told or result.loop_held <= timeout:
            return
        self._loop_blocked_told = True
        target = self.plan.config.runner.resolved_target
        self.emit(LoopBlocked(target, job.run_id, result.loop_held, timeout))

    async def _produce(self, executor: Executor, slots: asyncio.Semaphore) -> None:
        loop = asyncio.get_running_loop()
        for job in self.plan.jobs(self.writer.done_ids):
            await slots.acquire()
            if self.cancel.cancelled:  # may have come from another thread meanwhile
                slots.release()
                return
            task = loop.create_task(self._run_one(executor, job))
            self._inflight.add(task)
            task.add_done_callback(self._inflight.discard)
            task.add_done_callback(lambda _: slots.release())

    async def _tick(self) -> None:
        last_checkpoint = time.monotonic()
        while True:
            await asyncio.sleep(TICK_SECONDS)
            self.writer.flush()
            if time.monotonic() - last_checkpoint >= CHECKPOINT_SECONDS:
                self.checkpoint()
                last_checkpoint = time.monotonic()

    async def run(self) -> None:
        """Schedule every run, honouring cancel; returns when nothing is left in flight."""
        loop = asyncio.get_running_loop()
        stop, force = asyncio.Event(), asyncio.Event()

        def on_cancel(forced: bool) -> None:
            def flag() -> None:
                stop.set()
                if forced:
                    force.set()

            with contextlib.suppress(RuntimeError):  # the loop already ended
                loop.call_soon_threadsafe(flag)

        unsubscribe = self.cancel.subscribe(on_cancel)
        if self.cancel.cancelled:
            stop.set()
        if self.cancel.forced:
            force.set()
        executor = self._executor()
        ticker = loop.create_task(self._tick())
        producer = loop.create_task(
            self._produce(executor, asyncio.Semaphore(self.plan.parallel_runs + executor.prefetch))
        )
        stopper = loop.create_task(stop.wait())
        try:
            await asyncio.wait({producer, stopper}, return_when=asyncio.FIRST_COMPLETED)
            if producer.done():
                producer.result()  # a bug in scheduling must surface, not hang
                while self._inflight and not stop.is_set():
                    await asyncio.wait(
                        {*self._inflight, stopper}, return_when=asyncio.FIRST_COMPLETED
                    )
            else:
                producer.cancel()
                await asyncio.gather(producer, return_exceptions=True)
            executor.drop_queued()
            if self._inflight and not force.is_set():
                # Until every run in flight is done, a second cancel, or the grace ends.
                forcer = loop.create_task(force.wait())
                deadline = loop.time() + GRACE_SECONDS
                while self._inflight and not forcer.done() and loop.time() < deadline:
                    await asyncio.wait(
                        {*self._inflight, forcer},
                        timeout=deadline - loop.time(),
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                forcer.cancel()
                # Whatever is still running is not finished: it is not written, and
                # --resume runs it again.
            for task in list(self._inflight):
                task.cancel()
            await asyncio.gather(*self._inflight, return_exceptions=True)
        finally:
            unsubscribe()
            stopper.cancel()
            ticker.cancel()
            producer.cancel()
            await asyncio.gather(ticker, stopper, producer, return_exceptions=True)
            await executor.close()


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
    with imports_kept_local(), _environment(loaded):
        plan = prepare_experiment(loaded, options)
        warnings = _configure_collector(loaded, options)
        started = _now()
        writer = _open_writer(plan, started)
        # The writer holds the folder's lock: whatever fails from here, it is let go (a
        # long-lived TUI must be able to resume the folder later).
        with contextlib.closing(writer):
            experiment = _Experiment(
                plan, writer, emit, token, started, resumed=plan.resume_dir is not None
            )
            experiment.checkpoint()
            emit(
                ExperimentStarted(
                    name=plan.config.name,
                    experiment_dir=writer.dir,
                    total_runs=plan.planned_runs,
                    inputs_count=len(plan.inputs),
                    iterations=plan.iterations,
                    parallel_runs=plan.parallel_runs,
                    already_done=len(writer.done_ids),
                )
            )
            try:
                asyncio.run(experiment.run())
            finally:
                summary = experiment.checkpoint(final=True)
                if options.use_collector and not warnings:
                    # Hand the last spans to the collector while the user still waits for
                    # the summary, rather than in an exit handler they cannot see.
                    sdk.flush(COLLECTOR_FLUSH_SECONDS)
    emit(ExperimentFinished(summary=summary, experiment_dir=writer.dir))
    return ExperimentResult(summary=summary, experiment_dir=writer.dir, warnings=warnings)


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
        run_input = RunInput(input_text)

        async def call() -> Attempt:
            executor = InProcessExecutor(resolved, None, None, 1)
            try:
                return await executor.attempt(RunJob("0.0", 0, 0, run_input), None)
            finally:
                await executor.close()

        attempt = asyncio.run(call())
    return SingleResult(output=attempt.output, duration_ms=attempt.duration_ms, error=attempt.error)
