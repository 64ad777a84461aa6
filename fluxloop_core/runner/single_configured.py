"""``run single`` without a target: one call of the target a project's config names.

A Python target is imported as a run imports it (its working directory, ``.env`` values
and ``environment_vars``); a command target's program is looked for, then started once
(``jsonl``: one copy, stopped after its answer; ``per_run``: one start); an http target
gets one request, as a run of an experiment would send it.
"""

from __future__ import annotations

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.preflight import positions_of
from fluxloop_core.preflight.problem import raise_first
from fluxloop_core.preflight.target import target_problems
from fluxloop_core.runner.command_executor import command_executor
from fluxloop_core.runner.experiment import SingleResult, run_single, single_result
from fluxloop_core.runner.http_executor import HttpExecutor, HttpSpec
from fluxloop_core.runner.plan import command_spec, run_environment


def run_single_configured(loaded: LoadedConfig, input_text: str) -> SingleResult:
    """Call ``loaded``'s target once with ``input_text``; a UserError (exit 2) for a
    target that cannot be called, the agent's failure as ``error``."""
    runner = loaded.config.runner
    with run_environment(loaded):
        http = runner.http
        if http is not None:
            request = HttpSpec(http=http, parallel_runs=1, timeout=runner.timeout_seconds)
            return single_result(lambda: HttpExecutor(request), input_text)
        if runner.command is None:
            return run_single(
                runner.resolved_target, input_text, working_directory=runner.working_directory
            )
        raise_first(target_problems(loaded, positions_of(loaded)))
        spec = command_spec(loaded, parallel_runs=1)
        return single_result(lambda: command_executor(spec), input_text)
