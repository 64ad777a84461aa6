"""``fluxloop evaluate experiment``: grade an experiment's runs again with the current
checks, without calling the agent."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fluxloop_core.cli.args import (
    CommandInfo,
    Subcommands,
    add_command,
    add_config,
    add_experiment_dir,
    add_group,
    add_json,
)
from fluxloop_core.cli.args import add_project as add_project_flag
from fluxloop_core.cli.gate import add_gate_flags

if TYPE_CHECKING:
    from fluxloop_core.config.loader import LoadedConfig


COMMAND = CommandInfo("evaluate", "grade experiments with the config's checks")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop evaluate`` and its command."""
    group = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        ["fluxloop evaluate experiment --fail-under 0.9 --report junit"],
    )
    p = add_command(
        group,
        "experiment",
        experiment,
        "grade an experiment's runs again with the current checks (the agent is not called)",
        [
            "fluxloop evaluate experiment",
            "fluxloop evaluate experiment experiments/my_test_20250930_150000 --report md,html",
            "fluxloop evaluate experiment --config setting.yaml --fail-under 0.9 --report junit",
        ],
    )
    add_experiment_dir(p)
    add_config(p)
    add_project_flag(p)
    add_gate_flags(p)
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    add_json(p, "the evaluation summary")


def _config_and_folder(args: argparse.Namespace) -> tuple[LoadedConfig, Path]:
    from fluxloop_core.cli.experiment_arg import latest_of
    from fluxloop_core.config.project import open_config
    from fluxloop_core.errors import UsageError
    from fluxloop_core.runner.resume import stored_config_file

    if args.experiment_dir is None:
        loaded = open_config(config=args.config, project=args.project)
        return loaded, latest_of(loaded)
    folder = Path(args.experiment_dir).expanduser().resolve()
    if not folder.is_dir():
        raise UsageError(
            "not an experiment folder" if folder.exists() else "no such folder",
            file=folder,
            hint="Pass an experiment folder such as experiments/<name>_<YYYYMMDD_HHMMSS>, "
            "or leave DIR out for the latest.",
        )
    if args.config or args.project:
        return open_config(config=args.config, project=args.project), folder
    # The checks of the config the experiment was run with, as it reads now.
    stored = stored_config_file(folder)
    return (open_config(config=str(stored)) if stored else open_config(cwd=folder)), folder


def experiment(args: argparse.Namespace) -> int:
    """Grade an experiment again; exit 0 (the gate holds), 1 (it fails) or 2 (usage)."""
    from fluxloop_core.cli.gate import conclude, requested_formats
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.errors import UsageError
    from fluxloop_core.evaluation.regrade import regrade_experiment
    from fluxloop_core.evaluation.spec import GateSpec, override_gate
    from fluxloop_core.preflight import grading_plan

    loaded, folder = _config_and_folder(args)
    plan = grading_plan(loaded)
    if plan is None:
        raise UsageError(
            "nothing to grade with: the config has no `evaluation:` section and no input "
            "has `checks:`",
            file=loaded.path,
            hint="Add `evaluation: {checks: [...]}` to the config (see README, Evaluation).",
        )
    evaluation = loaded.config.evaluation
    gate = override_gate(
        evaluation.gate if evaluation else GateSpec(),
        min_pass_rate=args.fail_under,
        min_input_pass_rate=args.fail_under_per_input,
    )
    try:
        summary = regrade_experiment(folder, plan, gate)
    finally:
        plan.close()
    if args.json:
        print_json({**summary.to_json(), "experiment_dir": str(folder)})
    elif not args.quiet:
        print(f"Graded {folder} with the checks of {loaded.path}")
    code, _ = conclude(
        summary, folder, requested_formats(args), quiet=args.quiet, as_json=args.json
    )
    return code
