"""``fluxloop status check``: is this project ready to run, and how did it last go?

Each check is ok, warn or fail; a fail means a run would not work (exit 2 in the CLI), a
warn means something optional is off (an unreachable collector, failed runs last time).
The TUI shows the same list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fluxloop_core.config.env import provider_key_variable, resolve_llm_key
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.counts import counted
from fluxloop_core.preflight import Problem, positions_of
from fluxloop_core.preflight.collector import probe_collector
from fluxloop_core.preflight.command import program_path
from fluxloop_core.preflight.endpoint import endpoint_unreachable
from fluxloop_core.preflight.environment import environment_problems
from fluxloop_core.preflight.inputs import run_inputs
from fluxloop_core.preflight.output import output_problems
from fluxloop_core.preflight.providers import missing_problems, shape_problems
from fluxloop_core.preflight.replay import override_problems, target_calls
from fluxloop_core.preflight.target import run_variables, target_problems
from fluxloop_core.redaction import redact

Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True)
class Check:
    """One line of ``status check``."""

    name: str
    level: Level
    message: str


def _from_problems(name: str, problems: list[Problem], ok: str) -> Check:
    if not problems:
        return Check(name, "ok", ok)
    text = "; ".join(p.render() for p in problems[:3])
    if len(problems) > 3:
        text += f" (and {len(problems) - 3} more: `fluxloop config validate` lists them)"
    return Check(name, "fail", text)


def check_llm_key(loaded: LoadedConfig) -> Check:
    """The configured provider's key, only when LLM generation is on."""
    generation = loaded.config.input_generation
    llm = generation.llm
    if generation.mode != "llm" and not llm.enabled:
        return Check("llm key", "ok", "not needed (deterministic generation)")
    key, variable = resolve_llm_key(llm.provider, loaded.env)
    if key and variable:
        source = loaded.env.source(variable)
        # Not even masked: `config env --show-values` is the one place that shows keys.
        return Check("llm key", "ok", f"{variable} set ({source})")
    wanted = provider_key_variable(llm.provider)
    fix = f"set {wanted} in .env or run `fluxloop config set-llm {llm.provider} KEY`"
    if llm.base_url:
        # A local OpenAI-compatible server may accept requests without a key.
        return Check("llm key", "warn", f"no key for {llm.provider} at {llm.base_url}; {fix}")
    return Check("llm key", "fail", f"no key for provider {llm.provider}: {fix}")


def check_collector(loaded: LoadedConfig) -> Check:
    """An HTTP GET to the collector when one is configured and enabled."""
    config = loaded.config
    if not config.collector.enabled:
        return Check("collector", "ok", "disabled (runs stay offline)")
    url = config.collector_url(loaded.env)
    if not url:
        return Check("collector", "ok", "not configured (runs stay offline)")
    probe = probe_collector(url, config.collector.timeout_seconds)
    if probe.status_code is None:
        return Check("collector", "warn", f"{url} unreachable: {probe.failure}")
    if probe.status_code >= 500:
        return Check("collector", "warn", f"{url} answered HTTP {probe.status_code}")
    return Check("collector", "ok", f"{url} reachable (HTTP {probe.status_code})")


def check_last_experiment(loaded: LoadedConfig) -> Check:
    """The newest experiment folder, and its success rate."""
    from fluxloop_core.results.reader import list_experiments

    listings = list_experiments(loaded.config.output_directory)
    if not listings:
        return Check("last experiment", "ok", "no experiments yet")
    newest = listings[0]
    name = newest.path.name
    if newest.summary is None:
        return Check("last experiment", "warn", f"{name}: {newest.problem}")
    results = newest.summary.results
    text = (
        f"{name}: {results.success_rate:.0%} success "
        f"({results.successful}/{counted(results.total_runs, 'run')})"
    )
    if newest.summary.interrupted:
        return Check("last experiment", "warn", text + ", interrupted")
    return Check("last experiment", "warn" if results.failed else "ok", text)


def _check_target(loaded: LoadedConfig, imports: list[Problem]) -> Check:
    """A Python target imports; a command target's program is found; an http target's
    endpoint takes a connection (a warn when not: the agent may simply not be started
    yet)."""
    runner = loaded.config.runner
    if runner.http is None:
        problems = [p for p in imports if p.kind == "target"]
        ok = f"{runner.resolved_target} imports"
        if runner.command is not None and not problems:
            found = program_path(loaded, run_variables(loaded))
            ok = redact(f"{runner.resolved_target}: program found at {found}")
        return _from_problems("target", problems, ok)
    problem = endpoint_unreachable(runner.http)
    if problem is None:
        return Check("target", "ok", f"{runner.resolved_target} reachable")
    return Check("target", "warn", redact(f"{runner.resolved_target}: {problem}"))


def run_checks(loaded: LoadedConfig) -> list[Check]:
    """Every check, in the order shown: config, target, llm key, collector, recording,
    inputs, last experiment. The problems are preflight's, grouped."""
    positions = positions_of(loaded)
    config = loaded.config
    setup = environment_problems(loaded) + output_problems(loaded, positions)
    checks = [_from_problems("config", setup, f"{loaded.path} is valid")]
    imports = target_problems(loaded, positions)  # none for an http target
    checks.append(_check_target(loaded, imports))
    checks.append(check_llm_key(loaded))
    checks.append(check_collector(loaded))
    replay = config.replay_args
    if replay.enabled:
        found = target_calls(loaded, positions)
        calls = found.calls
        problems = [
            *found.line_problems,
            *found.problems,
            *missing_problems(loaded, positions, calls),
            *shape_problems(loaded, positions),
            *[p for p in imports if p.kind != "target"],
            *override_problems(loaded, positions, calls),
        ]
        checks.append(
            _from_problems(
                "recording",
                problems,
                f"{counted(len(calls), 'recorded call')} in {replay.recording_file}",
            )
        )
    else:
        checks.append(Check("recording", "ok", "not used (replay_args.enabled is false)"))
    source = (
        f"inputs_file {config.inputs_file}"
        if config.inputs_file
        else f"{len(config.base_inputs)} base inputs"
    )
    _, inputs = run_inputs(loaded, positions)
    checks.append(_from_problems("inputs", inputs, source))
    checks.append(check_last_experiment(loaded))
    return checks
