"""``fluxloop run experiment`` and ``fluxloop run single``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_config,
    add_group,
    add_json,
    add_project,
    completes,
    positive_amount,
    positive_int,
    rate,
)
from fluxloop_core.cli.compare_cmd import add_baseline_flags
from fluxloop_core.cli.gate import add_gate_flags
from fluxloop_core.config.executors import EXECUTORS
from fluxloop_core.exit_codes import EXIT_FAILED_BAR, EXIT_INTERRUPTED, EXIT_OK

SHOWN_BODY_CHARS = 400
"""How much of an http request's body a dry run prints (``--json`` has all of it)."""

if TYPE_CHECKING:
    from types import FrameType

    from fluxloop_core.config.loader import LoadedConfig
    from fluxloop_core.runner.plan import RunOptions


COMMAND = CommandInfo("run", "run experiments")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop run`` and its commands."""
    run = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        [
            "fluxloop run experiment --config setting.yaml",
            'fluxloop run single examples.simple_agent:run "Test input"',
        ],
    )
    p = add_command(
        run,
        "experiment",
        experiment,
        "run every input x iteration against the target and write results",
        [
            "fluxloop run experiment --config setting.yaml",
            "fluxloop run experiment --config setting.yaml --no-collector",
            "fluxloop run experiment --config setting.yaml --iterations 5",
            "fluxloop run experiment --resume experiments/my_test_20250930_150000",
            "fluxloop run experiment --config setting.yaml --fail-under 0.9 --report junit,md",
            "fluxloop run experiment --baseline experiments/my_test_20250930_150000 "
            "--fail-on-regression --report md",
            "fluxloop run experiment --rerun-failing experiments/my_test_20250930_150000",
            "fluxloop run experiment --config setting.yaml --executor processes",
            "fluxloop run experiment --executor ray --ray-address 10.0.0.5:6379",
            "fluxloop run experiment --multi-turn --max-turns 4 --persona impatient_customer",
        ],
    )
    add_config(p)
    add_project(p)
    p.add_argument("--iterations", type=positive_int, help="override iterations")
    p.add_argument("--parallel-runs", type=positive_int, help="override parallel_runs")
    p.add_argument("--no-collector", action="store_true", help="run fully offline")
    p.add_argument(
        "--executor",
        choices=EXECUTORS,
        help="override runner.executor: local (threads/asyncio), processes (CPU-bound "
        "agents) or ray (a Ray cluster; needs the [ray] extra)",
    )
    p.add_argument(
        "--ray-address",
        metavar="ADDR",
        help="executor ray: the cluster's address (over runner.ray.address and RAY_ADDRESS; "
        "unset: a local Ray for the experiment)",
    )
    p.add_argument(
        "--multi-turn",
        action="store_true",
        help="run each input as a conversation with the config's personas (over "
        "conversation.enabled)",
    )
    p.add_argument(
        "--max-turns", type=positive_int, metavar="N", help="override conversation.max_turns"
    )
    p.add_argument(
        "--persona",
        metavar="NAME",
        help="the persona of inputs whose metadata.persona names none (default: round-robin)",
    )
    p.add_argument(
        "--min-success-rate",
        type=rate,
        default=1.0,
        metavar="R",
        help="exit 1 when the success rate is below R (0..1, default 1.0)",
    )
    completes(
        p.add_argument("--resume", metavar="DIR", help="finish an interrupted experiment folder"),
        "experiments",
    )
    add_gate_flags(p)
    p.add_argument(
        "--max-cost",
        type=positive_amount,
        metavar="USD",
        help="start no new run once the runs cost this much (needs pricing:); exit 1",
    )
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="check everything and print the plan; call nothing, write nothing",
    )
    add_baseline_flags(p)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_json(p, "the final summary (with its evaluation block)")
    p = add_command(
        run,
        "single",
        single,
        "call a target once with one input and print the output",
        [
            'fluxloop run single examples.simple_agent:run "Test input"',
            'fluxloop run single agent:run "hi" --working-directory ./my-agent --json',
            'fluxloop run single "hi" --project my-agent    # the target of its setting.yaml',
            'fluxloop run single "hi" --config setting.yaml   # runner.http or runner.command too',
        ],
    )
    p.add_argument(
        "target",
        nargs="?",
        help="module:function or module:Class.method (default: the config's target, "
        "a Python function, runner.http or a runner.command program)",
    )
    p.add_argument("input", help="the input passed as the first parameter")
    p.add_argument(
        "--working-directory",
        default=".",
        metavar="DIR",
        help="put DIR on sys.path (with TARGET)",
    )
    add_config(p)
    add_project(p)
    add_json(p, "the output and duration")


@contextmanager
def _signals_cancel(cancel: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call ``cancel`` (twice: stop at once) instead of raising."""
    import signal  # here, like every handler's imports: `fluxloop --help` stays light

    def handler(signum: int, frame: FrameType | None) -> None:
        cancel()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _format_output(value: Any) -> str:
    import json

    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


def _print_conversations(conversation: dict[str, Any]) -> None:
    """The dry run's lines on conversations (see dry_run_conversation)."""
    simulator = conversation["simulator"]
    who = (
        f"llm {simulator['model']} at {simulator['endpoint']}, "
        f"temperature {simulator['temperature']:g} (not contacted)"
        if simulator["mode"] == "llm"
        else "scripted (the personas' follow_ups)"
    )
    forced = conversation["forced_persona"]
    personas = ", ".join(
        f"{name} ({count} input{'s' * (count != 1)})"
        for name, count in conversation["personas"].items()
    )
    print(
        f"  conversation up to {conversation['max_turns']} agent turns each, history by "
        f"{conversation['history']}"
    )
    print(f"  personas    {personas}" + (f"; --persona {forced}" if forced else ""))
    print(f"  simulator   {who}")


def _print_request(request: dict[str, Any]) -> None:
    """The first run's request of an http target (already redacted)."""
    import json

    print(f"  request     {request['method']} {request['url']}")
    for name, value in request["headers"].items():
        print(f"              {name}: {value}")
    if "error" in request:
        print(f"              cannot be made: {request['error']}")
    else:
        body = json.dumps(request["body"], ensure_ascii=False)
        cut = body if len(body) <= SHOWN_BODY_CHARS else body[:SHOWN_BODY_CHARS] + " …"
        print(f"              {cut}")


def _dry_run(loaded: LoadedConfig, options: RunOptions, *, as_json: bool) -> int:
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.counts import counted
    from fluxloop_core.runner.dry_run import describe_plan

    plan = describe_plan(loaded, options)
    if as_json:
        print_json(plan.to_json())
        return EXIT_OK
    print(f"Dry run of {plan.name} ({loaded.path}): nothing is called or written.")
    how = "an HTTP endpoint, not contacted" if plan.http else "imports"
    if plan.command is not None:
        how = f"the program {plan.command['program']}, not started"
    print(f"  target      {plan.target} ({how}; runs in {plan.runs_in})")
    print(
        f"  runs        {counted(plan.planned_runs, 'run')} = "
        f"{counted(plan.inputs, 'input')} × {counted(plan.iterations, 'iteration')}, "
        f"{plan.parallel_runs} at a time"
    )
    if plan.request is not None:
        _print_request(plan.request)
    print(f"  results     {plan.resume or plan.output_directory}")
    print(f"  collector   {plan.collector}")
    if plan.replay is not None:
        replay = plan.replay
        print(
            f"  replay      {counted(replay['recorded_calls'], 'recorded call')} in "
            f"{replay['recording_file']}, input at {replay['override_param_path'] or '-'}"
        )
        for parameter, provider in replay["providers"].items():
            print(f"              {parameter} -> {provider}")
        for binding in replay["first_bindings"]:
            print(f"              {binding}")
    if plan.conversation is not None:
        _print_conversations(plan.conversation)
    if plan.checks:
        print(f"  checks      {', '.join(plan.checks)}")
        bars = {k: v for k, v in (plan.gate or {}).items() if v not in (None, False)}
        print(f"  gate        {', '.join(f'{k} {v}' for k, v in bars.items()) or 'no bar'}")
    else:
        print("  checks      none (no `evaluation:` section, no per-input checks)")
    return EXIT_OK


def experiment(args: argparse.Namespace) -> int:
    """Run an experiment; exit 0, 1 (below --min-success-rate or the evaluation's gate),
    2 (config) or 130."""
    from fluxloop_core.cli.compare_cmd import (
        apply_rerun_failing,
        baseline_folder,
        compare_with,
        conclude_run_comparison,
    )
    from fluxloop_core.cli.gate import conclude, requested_formats
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.cli.progress import make_renderer
    from fluxloop_core.config.project import open_config
    from fluxloop_core.counts import counted
    from fluxloop_core.runner.experiment import CancelToken, RunOptions, run_experiment
    from fluxloop_core.runner.resume import stored_config_file

    resume = Path(args.resume).expanduser().resolve() if args.resume else None
    if resume is not None and not args.config and not args.project:
        # The experiment's own config; a folder from before it was recorded sits inside
        # its project, so the project's config is found from there.
        stored = stored_config_file(resume)
        loaded = open_config(config=str(stored)) if stored else open_config(cwd=resume)
    else:
        loaded = open_config(config=args.config, project=args.project)
    options = RunOptions(
        iterations=args.iterations,
        parallel_runs=args.parallel_runs,
        use_collector=not args.no_collector,
        resume_dir=resume,
        min_pass_rate=args.fail_under,
        min_input_pass_rate=args.fail_under_per_input,
        max_cost_usd=args.max_cost,
        reports=tuple(requested_formats(args)),
        executor=args.executor,
        ray_address=args.ray_address,
        multi_turn=args.multi_turn,
        max_turns=args.max_turns,
        persona=args.persona,
    )
    baseline = baseline_folder(args)
    if not apply_rerun_failing(args, options):
        return EXIT_OK
    if args.dry_run:
        return _dry_run(loaded, options, as_json=args.json)
    token = CancelToken()
    renderer = make_renderer(quiet=args.quiet, stream=sys.stderr)
    try:
        with _signals_cancel(token.cancel):
            result = run_experiment(loaded, options, on_event=renderer, cancel=token)
    finally:
        renderer.close()
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    summary = result.summary
    stats = summary.results
    # On --resume, the --report formats the experiment was started with (if none given).
    formats = (
        list[str](summary.gate_flags.report) if summary.gate_flags else requested_formats(args)
    )
    if formats and result.evaluation is None:
        print(
            "warning: --report needs checks: the config has no `evaluation:` section "
            "and no input has `checks:`; no evaluation report written",
            file=sys.stderr,
        )
    folder = result.experiment_dir
    comparison = None if summary.interrupted else compare_with(baseline, folder, args)
    if args.json:
        print_json(
            {
                **summary.model_dump(mode="json"),
                "experiment_dir": str(result.experiment_dir),
                **({"comparison": comparison.to_json()} if comparison else {}),
            }
        )
    elif not args.quiet:
        state = "interrupted" if summary.interrupted else "finished"
        print(f"Experiment {state}: {result.experiment_dir}")
        print(
            f"{stats.total_runs} of {counted(summary.planned_runs, 'run')}: {stats.successful} ok, "
            f"{stats.failed} failed (success rate {stats.success_rate:.1%}), "
            f"avg {stats.avg_duration_ms:.1f} ms"
        )
    code = EXIT_OK
    if result.evaluation is not None:
        # Interrupted too: the reports of the runs that finished, marked partial.
        code, _ = conclude(
            result.evaluation,
            result.experiment_dir,
            formats,
            quiet=args.quiet,
            as_json=args.json,
        )
    if summary.stop_reason is not None:
        print(f"error: {summary.stop_reason}.", file=sys.stderr)
        if stats.unpriced_runs:
            print(
                f"note: {counted(stats.unpriced_runs, 'run')} called a model without a price "
                "and are not counted in the cost.",
                file=sys.stderr,
            )
        return EXIT_FAILED_BAR
    if summary.interrupted:
        return EXIT_INTERRUPTED
    if comparison is not None:
        code = max(code, conclude_run_comparison(comparison, formats, args))
    success_rate = stats.successful / stats.total_runs if stats.total_runs else 0.0
    if success_rate < args.min_success_rate:
        return EXIT_FAILED_BAR
    return code


def single(args: argparse.Namespace) -> int:
    """Call a target once; exit 1 when the agent raises, 2 when the target is bad."""
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.config.project import open_config
    from fluxloop_core.errors import UsageError
    from fluxloop_core.runner.experiment import run_single
    from fluxloop_core.runner.single_configured import run_single_configured

    if args.target is None:
        loaded = open_config(config=args.config, project=args.project)
        result = run_single_configured(loaded, args.input)
    elif args.config or args.project:
        raise UsageError(
            "run single takes a TARGET or the target of --config/--project, not both",
            hint='Drop TARGET to call the config\'s target: fluxloop run single "hi" '
            "--config setting.yaml.",
        )
    else:
        result = run_single(
            args.target, args.input, working_directory=Path(args.working_directory).expanduser()
        )
    if args.json:
        print_json(
            {
                "output": result.output,
                "duration_ms": round(result.duration_ms, 3),
                "error": result.error.model_dump(mode="json") if result.error else None,
            }
        )
    elif result.error is None:
        print(_format_output(result.output))
        print(f"({result.duration_ms:.1f} ms)")
    if result.error is not None:
        if not args.json:
            print(f"error: {result.error.type}: {result.error.message}", file=sys.stderr)
            if result.error.traceback:
                print(result.error.traceback.rstrip(), file=sys.stderr)
        return EXIT_FAILED_BAR
    return EXIT_OK
