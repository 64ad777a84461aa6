"""The plain ``fluxloop`` command line.

Only argparse is imported at start-up: each subcommand names its handler as
``module:function`` and the module is imported when that subcommand runs, so
``fluxloop --help`` never pays for rich, pydantic, openai or textual.

Exit codes are an API: 0 success, 1 the experiment ran but failed its bar, 2 bad usage or
bad config, 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from fluxloop_core import __version__

EXIT_OK = 0
EXIT_FAILED_BAR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

Handler = Callable[[argparse.Namespace], int]


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the hand-written examples in epilogs as they are."""


def _examples(*lines: str) -> str:
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def _leaf(
    group: Any,
    name: str,
    handler: str,
    help_text: str,
    examples: Sequence[str],
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = group.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=_examples(*examples),
        formatter_class=_Formatter,
    )
    parser.set_defaults(_handler=handler)
    return parser


def _group(sub: Any, name: str, help_text: str, examples: Sequence[str]) -> Any:
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_text,
        description=help_text,
        epilog=_examples(*examples),
        formatter_class=_Formatter,
    )
    parser.set_defaults(_parser=parser)
    return parser.add_subparsers(title="commands", metavar="COMMAND")


def _add_project(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--project",
        metavar="NAME|PATH",
        help="a project name under ./fluxloop/ or a project folder "
        "(default: the current folder or its parents)",
    )


def _add_json(parser: argparse.ArgumentParser, what: str = "the result") -> None:
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON on stdout")


def _add_show_values(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--show-values",
        action="store_true",
        help="show values (secrets masked except the last 4 characters; hidden without it)",
    )


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {text!r}") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"expected a number from 0 to 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree; handlers are named, not imported."""
    parser = argparse.ArgumentParser(
        prog="fluxloop",
        description="FluxLoop: record the real calls your AI agent receives, generate "
        "variations, replay them in parallel and read the results.",
        epilog=_examples(
            "fluxloop init project --name my-agent",
            "cd fluxloop/my-agent",
            "fluxloop run experiment --config setting.yaml --no-collector",
            "fluxloop status experiments",
            "fluxloop tui",
        ),
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"fluxloop {__version__}")
    parser.set_defaults(_parser=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")

    # init
    init = _group(
        sub,
        "init",
        "create projects and agents",
        ["fluxloop init project --name my-agent", "fluxloop init agent my_agent --template simple"],
    )
    p = _leaf(
        init,
        "project",
        "fluxloop_core.cli.init_cmd:init_project",
        "create a project: fluxloop/NAME with setting.yaml, a sample agent and folders",
        [
            "fluxloop init project --name my-agent",
            "fluxloop init project --name my-agent --path ~/work --force",
        ],
    )
    p.add_argument("--name", required=True, help="project name (letters, digits, - and _)")
    p.add_argument("--path", default=".", help="folder in which fluxloop/ is created (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite an existing project")
    p = _leaf(
        init,
        "agent",
        "fluxloop_core.cli.init_cmd:init_agent",
        "write examples/NAME.py into the current project from a template",
        [
            "fluxloop init agent my_agent --template simple",
            "fluxloop init agent handler --template replay",
        ],
    )
    p.add_argument("name", help="agent module name (a Python identifier)")
    p.add_argument("--template", default="simple", help="simple or replay (default: simple)")
    _add_project(p)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")

    # config
    config = _group(
        sub,
        "config",
        "show, validate and edit configuration",
        [
            "fluxloop config show --project my-agent",
            "fluxloop config validate --config setting.yaml",
            "fluxloop config set-llm openai sk-xxxx --model gpt-4o-mini",
            "fluxloop config env --show-values",
        ],
    )
    p = _leaf(
        config,
        "show",
        "fluxloop_core.cli.config_cmd:show",
        "print the effective config (defaults filled in, paths resolved)",
        [
            "fluxloop config show --project my-agent",
            "fluxloop config show --config setting.yaml --json",
            "fluxloop config show --show-values",
        ],
    )
    _add_project(p)
    p.add_argument("--config", metavar="FILE", help="a setting.yaml (default: the project's)")
    _add_show_values(p)
    _add_json(p, "the config")
    p = _leaf(
        config,
        "validate",
        "fluxloop_core.cli.config_cmd:validate",
        "check a config: schema, target import, recording and inputs files, callable providers",
        ["fluxloop config validate --config setting.yaml"],
    )
    p.add_argument("--config", metavar="FILE", help="a setting.yaml (default: the project's)")
    _add_project(p)
    _add_json(p, "the problems found")
    p = _leaf(
        config,
        "set-llm",
        "fluxloop_core.cli.config_cmd:set_llm",
        "store an LLM key in .env and the provider/model in setting.yaml",
        [
            "fluxloop config set-llm openai sk-xxxx --model gpt-4o-mini",
            "fluxloop config set-llm openai sk-local --base-url http://127.0.0.1:8080/v1",
        ],
    )
    p.add_argument("provider", help="openai, anthropic, or a name for an OpenAI-compatible server")
    p.add_argument("key", help="the API key")
    p.add_argument("--model", help="model name, e.g. gpt-4o-mini")
    p.add_argument("--base-url", help="an OpenAI-compatible endpoint")
    _add_project(p)
    p = _leaf(
        config,
        "env",
        "fluxloop_core.cli.config_cmd:env",
        "list FluxLoop and LLM environment variables and where each comes from",
        ["fluxloop config env", "fluxloop config env --show-values"],
    )
    _add_show_values(p)
    _add_project(p)
    _add_json(p, "the variables")
    p = _leaf(
        config,
        "schema",
        "fluxloop_core.cli.config_cmd:schema",
        "print the JSON Schema of setting.yaml (for editor completion)",
        ["fluxloop config schema > setting.schema.json"],
    )

    # generate
    generate = _group(
        sub,
        "generate",
        "generate input variations",
        ["fluxloop generate inputs --config setting.yaml --limit 20"],
    )
    p = _leaf(
        generate,
        "inputs",
        "fluxloop_core.cli.generate_cmd:inputs",
        "write inputs/generated.yaml from base_inputs or a recording",
        [
            "fluxloop generate inputs --config setting.yaml --limit 20",
            "fluxloop generate inputs --config setting.yaml "
            "--from-recording recordings/args.jsonl --limit 50",
            "fluxloop generate inputs --config setting.yaml --strategy rephrase --strategy verbose",
            "fluxloop generate inputs --config setting.yaml --mode llm --dry-run",
        ],
    )
    p.add_argument("--config", metavar="FILE", help="a setting.yaml (default: the project's)")
    _add_project(p)
    p.add_argument("--limit", type=_positive_int, help="total number of inputs to write")
    p.add_argument(
        "--strategy",
        action="append",
        metavar="S",
        help="rephrase, verbose, concise, error_prone or edge_case (repeatable)",
    )
    p.add_argument("--from-recording", metavar="FILE", help="use a recording's calls as bases")
    p.add_argument("--mode", choices=["deterministic", "llm"], help="override the config mode")
    p.add_argument("--seed", type=int, help="random seed (same seed, same inputs)")
    p.add_argument("--output", metavar="PATH", help="default: inputs/generated.yaml")
    p.add_argument("--dry-run", action="store_true", help="print the LLM prompts, call nothing")
    p.add_argument("--no-cache", action="store_true", help="bypass the LLM response cache")
    p.add_argument("--strict", action="store_true", help="fail on a broken recording line")
    _add_json(p, "a report")

    # run
    run = _group(
        sub,
        "run",
        "run experiments",
        [
            "fluxloop run experiment --config setting.yaml",
            'fluxloop run single examples.simple_agent:run "Test input"',
        ],
    )
    p = _leaf(
        run,
        "experiment",
        "fluxloop_core.cli.run_cmd:experiment",
        "run every input x iteration against the target and write results",
        [
            "fluxloop run experiment --config setting.yaml",
            "fluxloop run experiment --config setting.yaml --no-collector",
            "fluxloop run experiment --config setting.yaml --iterations 5",
            "fluxloop run experiment --resume experiments/my_test_20250930_150000",
        ],
    )
    p.add_argument("--config", metavar="FILE", help="a setting.yaml (default: the project's)")
    _add_project(p)
    p.add_argument("--iterations", type=_positive_int, help="override iterations")
    p.add_argument("--parallel-runs", type=_positive_int, help="override parallel_runs")
    p.add_argument("--no-collector", action="store_true", help="run fully offline")
    p.add_argument(
        "--min-success-rate",
        type=_rate,
        default=1.0,
        metavar="R",
        help="exit 1 when the success rate is below R (0..1, default 1.0)",
    )
    p.add_argument("--resume", metavar="DIR", help="finish an interrupted experiment folder")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    _add_json(p, "the final summary")
    p = _leaf(
        run,
        "single",
        "fluxloop_core.cli.run_cmd:single",
        "call a target once with one input and print the output",
        [
            'fluxloop run single examples.simple_agent:run "Test input"',
            'fluxloop run single agent:run "hi" --working-directory ./my-agent --json',
        ],
    )
    p.add_argument("target", help="module:function or module:Class.method")
    p.add_argument("input", help="the input passed as the first parameter")
    p.add_argument("--working-directory", default=".", metavar="DIR", help="put DIR on sys.path")
    _add_json(p, "the output and duration")

    # status
    status = _group(
        sub,
        "status",
        "check a project and read past experiments",
        [
            "fluxloop status check --project my-agent",
            "fluxloop status experiments --project my-agent",
            "fluxloop status traces --project my-agent --failed",
        ],
    )
    p = _leaf(
        status,
        "check",
        "fluxloop_core.cli.status_cmd:check",
        "check config, target, keys, collector, recording and inputs",
        ["fluxloop status check --project my-agent", "fluxloop status check --config setting.yaml"],
    )
    _add_project(p)
    p.add_argument("--config", metavar="FILE", help="a setting.yaml (default: the project's)")
    _add_json(p, "the checks")
    p = _leaf(
        status,
        "experiments",
        "fluxloop_core.cli.results_cmd:experiments",
        "list past experiments, newest first",
        ["fluxloop status experiments --project my-agent", "fluxloop status experiments --json"],
    )
    _add_project(p)
    _add_json(p, "the experiments")
    p = _leaf(
        status,
        "traces",
        "fluxloop_core.cli.results_cmd:traces",
        "list the runs of the latest (or a named) experiment",
        [
            "fluxloop status traces --project my-agent",
            "fluxloop status traces --failed --limit 20",
            "fluxloop status traces --experiment experiments/my_test_20250930_150000",
        ],
    )
    _add_project(p)
    p.add_argument("--experiment", metavar="DIR", help="an experiment folder (default: latest)")
    p.add_argument("--failed", action="store_true", help="only failed runs")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument(
        "--limit",
        type=_positive_int,
        metavar="N",
        help="the newest N runs (default: 20 in the table, every run with --json)",
    )
    shown.add_argument("--all", action="store_true", help="every run")
    _add_json(p, "the runs")

    # tui
    p = sub.add_parser(
        "tui",
        help="open the full-screen terminal UI",
        description="open the full-screen terminal UI",
        epilog=_examples("fluxloop tui", "fluxloop tui --project my-agent"),
        formatter_class=_Formatter,
    )
    p.set_defaults(_handler="fluxloop_core.cli.tui_cmd:tui")
    _add_project(p)
    return parser


def _load_handler(spec: str) -> Handler:
    module_name, _, attr = spec.partition(":")
    handler: Handler = getattr(importlib.import_module(module_name), attr)
    return handler


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fluxloop`` console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    spec = getattr(args, "_handler", None)
    if spec is None:
        args._parser.print_help()
        return EXIT_USAGE
    # Imported here so `--help` stays free of them; errors is tiny.
    from fluxloop_core.cli.output import redact_streams
    from fluxloop_core.errors import UserError, from_os_error

    # Everything a handler prints from here on, error paragraphs included, is redacted.
    redact_streams(show_values=getattr(args, "show_values", False))
    try:
        return _load_handler(spec)(args)
    except UserError as error:
        print(f"error: {error.render()}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # `fluxloop status traces | head` closes stdout early: not an error.
        return EXIT_OK
    except OSError as raw:
        # The one translation of the operating system refusing a path the user chose
        # (name too long, a folder where a file goes, /proc, no access...).
        located = from_os_error(raw)
        if located is None:
            raise
        print(f"error: {located.render()}", file=sys.stderr)
        return located.exit_code


if __name__ == "__main__":
    raise SystemExit(main())
