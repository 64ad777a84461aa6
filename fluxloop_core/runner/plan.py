"""The plan of an experiment: which runs, against what, from inputs × iterations.

:func:`prepare_experiment` checks every pre-run rule (:mod:`fluxloop_core.preflight`), the
resume folder and the target, and returns an :class:`ExperimentPlan`; its
:meth:`~ExperimentPlan.jobs` lists the runs, skipping those a resumed folder already holds.
Nothing here runs the agent or writes a file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from fluxloop_core.config.command_target import DEFAULT_PROTOCOL, CommandSpec
from fluxloop_core.config.executors import ExecutorName
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.models import ExperimentConfig
from fluxloop_core.errors import ConfigError, UsageError, UserError
from fluxloop_core.evaluation.spec import GateSpec, override_gate
from fluxloop_core.evaluation.verdicts import EvaluationPlan
from fluxloop_core.preflight import check_run, positions_of
from fluxloop_core.preflight.conversation import (
    conversation_problems,
    history_problems,
    section_key,
)
from fluxloop_core.preflight.executor import executor_problems
from fluxloop_core.preflight.options import gate_problems
from fluxloop_core.preflight.problem import located, raise_first
from fluxloop_core.preflight.target import (
    run_variables,
    target_problems,
    working_directory_problem,
)
from fluxloop_core.results.models import ExperimentSummary, GateFlags
from fluxloop_core.runner.binding import Replay, RunInput, recorded_callables, replay_of
from fluxloop_core.runner.conversation import ConversationPlan
from fluxloop_core.runner.environment import RunEnvironment
from fluxloop_core.runner.executor import RunJob
from fluxloop_core.runner.providers import Providers, load_providers
from fluxloop_core.runner.resume import (
    ResumeCheck,
    check_same_experiment,
    resume_iterations,
    stored_experiment,
)
from fluxloop_core.runner.simulated_user import llm_user_settings
from fluxloop_core.runner.target import Target, forget_user_modules, load_target


def _given(flag: float | None, stored: float | None) -> float | None:
    return flag if flag is not None else stored


@dataclass
class RunOptions:
    """Command-line overrides of the config."""

    iterations: int | None = None
    parallel_runs: int | None = None
    use_collector: bool = True
    resume_dir: Path | None = None
    min_pass_rate: float | None = None
    """``--fail-under``: over the config's ``evaluation.gate.min_pass_rate``."""
    min_input_pass_rate: float | None = None
    """``--fail-under-per-input``: over ``evaluation.gate.min_input_pass_rate``."""
    max_cost_usd: float | None = None
    """``--max-cost``: stop scheduling runs once the priced runs cost this much."""
    select_inputs: Callable[[Sequence[RunInput]], Sequence[int]] | None = None
    """``--rerun-failing``: which of the config's inputs run (their indices; each keeps
    its index, so its run ids, per-input checks and recorded call stay what they were)."""
    reports: tuple[str, ...] = ()
    """``--report`` formats (written by the front end; stored, so ``--resume`` knows them)."""
    executor: ExecutorName | None = None
    """``--executor``: over ``runner.executor``."""
    ray_address: str | None = None
    """``--ray-address``: over ``runner.ray.address`` (and ``RAY_ADDRESS``)."""
    multi_turn: bool = False
    """``--multi-turn``: run conversations even when ``conversation.enabled`` is false."""
    max_turns: int | None = None
    """``--max-turns``: over ``conversation.max_turns``."""
    persona: str | None = None
    """``--persona``: the persona of inputs whose metadata names none."""

    def remembering(self, stored: GateFlags | None) -> RunOptions:
        """For ``--resume``: the flags the experiment was started with, where not given
        again."""
        if stored is None:
            return self
        return replace(
            self,
            min_pass_rate=_given(self.min_pass_rate, stored.fail_under),
            min_input_pass_rate=_given(self.min_input_pass_rate, stored.fail_under_per_input),
            reports=self.reports or tuple(stored.report),
            multi_turn=self.multi_turn or stored.multi_turn,
            max_turns=self.max_turns or stored.max_turns,
            persona=self.persona or stored.persona,
        )

    def stored_flags(self) -> GateFlags:
        """What summary.json keeps of these flags."""
        return GateFlags.model_validate(
            {
                "fail_under": self.min_pass_rate,
                "fail_under_per_input": self.min_input_pass_rate,
                "report": list(self.reports),
                "multi_turn": self.multi_turn,
                "max_turns": self.max_turns,
                "persona": self.persona,
            }
        )

    def gate_flags(self) -> list[str]:
        """The gate's command-line flags that were given."""
        return [
            flag
            for flag, value in (
                ("--fail-under", self.min_pass_rate),
                ("--fail-under-per-input", self.min_input_pass_rate),
            )
            if value is not None
        ]


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
    evaluation: EvaluationPlan | None = None
    """The compiled checks; None when the runs are not graded."""
    gate: GateSpec = field(default_factory=GateSpec)
    """The config's gate with the command line's bars over it."""
    max_cost_usd: float | None = None
    """No new run starts once the experiment's priced runs cost this much."""
    selected: tuple[int, ...] | None = None
    """The indices of the inputs that run (None: all of them; see RunOptions)."""
    options: RunOptions = field(default_factory=RunOptions)
    """The command line's options (on resume: with the stored gate flags filled in)."""
    executor: ExecutorName = "local"
    """``runner.executor``, or ``--executor`` over it."""
    ray_address: str | None = None
    """``executor: ray``'s cluster: --ray-address, else runner.ray.address, else
    RAY_ADDRESS; None starts a local Ray for the experiment."""
    conversation: ConversationPlan | None = None
    """Each run is a conversation (``conversation.enabled`` or ``--multi-turn``)."""

    @property
    def config(self) -> ExperimentConfig:
        """The experiment's config."""
        return self.loaded.config

    @property
    def run_indices(self) -> Sequence[int]:
        """The indices of the inputs that run."""
        return range(len(self.inputs)) if self.selected is None else self.selected

    @property
    def worker_python(self) -> str | None:
        """The interpreter of the runs' worker processes (``runner.python_path``, else
        this one for ``executor: processes``); None when runs execute in this process."""
        python_path = self.config.runner.python_path
        if python_path:
            return python_path
        return sys.executable if self.executor == "processes" else None

    @property
    def runs_here(self) -> bool:
        """Whether the runs execute in this process (which then imports the agent)."""
        return self.worker_python is None and self.executor != "ray"

    @property
    def history_param(self) -> str | None:
        """The keyword a conversation's turn hands its history to (None outside
        conversations, or when a Class.method instance keeps it)."""
        return self.conversation.history_param if self.conversation else None

    @property
    def planned_runs(self) -> int:
        """inputs that run × iterations."""
        return len(self.run_indices) * self.iterations

    def command_spec(self) -> CommandSpec:
        """How to start ``runner.command``'s program for these runs, as plain data."""
        return command_spec(self.loaded, self.parallel_runs)

    def jobs(self, skip: set[str]) -> Iterator[RunJob]:
        """Every run not in ``skip``, iteration by iteration (each input once per round)."""
        for iteration in range(self.iterations):
            for index in self.run_indices:
                run_input = self.inputs[index]
                run_id = f"{index}.{iteration}"
                if run_id in skip:
                    continue
                if self.replay is None:
                    yield RunJob(run_id, index, iteration, run_input)
                    continue
                call = self.replay.call_for(index, run_input)
                callables = tuple(self.callables.get(call.line_number, ()))
                yield RunJob(run_id, index, iteration, run_input, call, callables)


def command_spec(loaded: LoadedConfig, parallel_runs: int) -> CommandSpec:
    """How to start ``loaded``'s ``runner.command`` program, ``parallel_runs`` runs at a
    time, as plain data."""
    runner, replay = loaded.config.runner, loaded.config.replay_args
    assert runner.command is not None
    return CommandSpec(
        argv=tuple(runner.command),
        protocol=runner.protocol or DEFAULT_PROTOCOL,
        folder=runner.working_directory,
        variables=run_variables(loaded),
        timeout_seconds=runner.timeout_seconds,
        parallel_runs=parallel_runs,
        override_path=replay.override_param_path if replay.enabled else None,
    )


def selected_inputs(
    inputs: list[RunInput], options: RunOptions, stored: ExperimentSummary | None
) -> tuple[int, ...] | None:
    """The inputs a run is limited to: ``options.select_inputs``'s, or on resume those the
    experiment was started with; None for all. A UsageError when none is left."""
    if stored is not None:
        kept = stored.selected_inputs
        if kept is None:
            return None
        return tuple(index for index in kept if 0 <= index < len(inputs))
    if options.select_inputs is None:
        return None
    chosen = tuple(sorted(set(options.select_inputs(inputs))))
    if not chosen:
        raise UsageError(
            "no input of the config is among the ones selected to run again",
            hint="The failing inputs of that experiment are no longer in the config's "
            "inputs (matched by text and metadata.id); run the whole experiment instead.",
        )
    return chosen


def run_environment(loaded: LoadedConfig) -> RunEnvironment:
    """The working directory on sys.path and the run's variables in os.environ."""
    runner = loaded.config.runner
    no_folder = working_directory_problem(runner)
    if no_folder is not None:
        raise ConfigError(no_folder.message, file=loaded.path, key=no_folder.key)
    return RunEnvironment(runner.working_directory, run_variables(loaded), runner)


def prepare_experiment(loaded: LoadedConfig, options: RunOptions) -> ExperimentPlan:
    """Check every pre-run rule (:func:`fluxloop_core.preflight.check_run`), the resume
    folder and the target, and raise a UserError before anything is written."""
    try:
        return _prepare(loaded, options)
    except UserError as error:
        raise located(error, loaded, positions_of(loaded)) from None


def _prepare(loaded: LoadedConfig, options: RunOptions) -> ExperimentPlan:
    config = loaded.config
    runner = config.runner
    ready = check_run(loaded, parallel_runs=options.parallel_runs)
    raise_first(executor_problems(loaded, positions_of(loaded), options.executor))
    raise_first(gate_problems(ready.evaluation is not None, options.gate_flags()))
    iterations = options.iterations
    stored = None
    if options.resume_dir is not None:
        stored = stored_experiment(options.resume_dir)
        iterations = resume_iterations(stored, options.iterations)
        options = options.remembering(stored.gate_flags)
    plan = ExperimentPlan(
        loaded=loaded,
        target=None,
        inputs=[RunInput(item.text, item.metadata) for item in ready.inputs],
        iterations=iterations or config.iterations,
        parallel_runs=options.parallel_runs or config.parallel_runs,
        executor=options.executor or runner.executor,
        ray_address=options.ray_address or runner.ray.address or os.environ.get("RAY_ADDRESS"),
        resume_dir=options.resume_dir,
        evaluation=ready.evaluation,
        gate=override_gate(
            config.evaluation.gate if config.evaluation else GateSpec(),
            min_pass_rate=options.min_pass_rate,
            min_input_pass_rate=options.min_input_pass_rate,
        ),
        max_cost_usd=options.max_cost_usd,
        options=options,
    )
    if options.max_cost_usd is not None and not config.pricing:
        raise UsageError(
            "a cost cap needs prices to count what runs cost",
            key="pricing",
            hint="Add a pricing: table to setting.yaml (USD per million tokens by model), "
            "e.g. pricing: {gpt-4o-mini: {input_per_million: 0.15, output_per_million: 0.6}}.",
        )
    plan.conversation = _conversation_plan(loaded, plan.inputs, options)
    plan.selected = selected_inputs(plan.inputs, options, stored)
    if stored is not None and options.resume_dir is not None:
        now = ResumeCheck(
            runner.resolved_target, config.iterations, options.iterations, plan.inputs
        )
        check_same_experiment(options.resume_dir, stored, now)
    replay = config.replay_args
    with run_environment(loaded):
        if not plan.runs_here or runner.command is not None:
            # Worker processes or Ray actors import the target and the providers: checked
            # in a child interpreter, so this process never imports the agent (a command
            # target's program is looked for).
            positions = positions_of(loaded)
            needs_instance = plan.conversation is not None and plan.history_param is None
            raise_first(target_problems(loaded, positions, needs_instance=needs_instance))
        elif runner.http is None:  # an http agent has nothing to import
            custom = list(replay.callable_providers.values())
            forget_user_modules([runner.resolved_target, *custom])
            plan.target = load_target(runner.resolved_target, runner.working_directory)
            keeps_no_history = plan.history_param is None and plan.target.owner is None
            if plan.conversation is not None and keeps_no_history:
                raise_first(history_problems(loaded, positions_of(loaded)))
        if replay.enabled:
            assert replay.recording_file is not None  # the config model requires it
            plan.replay = replay_of(replay.recording_file, ready.calls, replay.override_param_path)
            plan.providers = load_providers(replay.callable_providers, import_custom=plan.runs_here)
            plan.callables = recorded_callables(plan.replay.calls)
    return plan


def _conversation_plan(
    loaded: LoadedConfig, inputs: list[RunInput], options: RunOptions
) -> ConversationPlan | None:
    """The conversations' plan when they are asked for (config or ``--multi-turn``), after
    refusing what they cannot do yet; None for single-call runs."""
    config = loaded.config
    section = config.conversation
    if not (section.enabled or options.multi_turn):
        if options.max_turns is not None or options.persona is not None:
            raise UsageError(
                "a persona or a number of turns was chosen, but conversations are off",
                key="conversation.enabled",
                hint="Turn conversations on (conversation.enabled: true), or run without "
                "choosing a persona or a number of turns.",
            )
        return None
    positions = positions_of(loaded)
    raise_first(
        conversation_problems(loaded, positions, [i.metadata for i in inputs], options.persona)
    )
    return ConversationPlan(
        personas=tuple(config.personas),
        max_turns=options.max_turns or section.max_turns,
        history_param=section.history_param,
        seed=section.seed,
        forced_persona=options.persona,
        llm_user=llm_user_settings(loaded, section_key(positions)),
    )
