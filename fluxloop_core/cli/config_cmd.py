"""``fluxloop config show | validate | set | set-llm | env | migrate | schema``."""

from __future__ import annotations

import argparse
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
    add_show_values,
)
from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE

if TYPE_CHECKING:
    from fluxloop_core.config.env import LayeredEnv
    from fluxloop_core.config.loader import LoadedConfig


COMMAND = CommandInfo("config", "show, validate and edit configuration")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop config`` and its commands."""
    config = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        [
            "fluxloop config show --project my-agent",
            "fluxloop config validate --config setting.yaml",
            "fluxloop config set-llm openai sk-xxxx --model gpt-4o-mini",
            "fluxloop config env --show-values",
        ],
    )
    p = add_command(
        config,
        "show",
        show,
        "print the effective config (defaults filled in, paths resolved)",
        [
            "fluxloop config show --project my-agent",
            "fluxloop config show --config setting.yaml --json",
            "fluxloop config show --show-values",
        ],
    )
    add_project(p)
    add_config(p)
    add_show_values(p)
    add_json(p, "the config")
    p = add_command(
        config,
        "validate",
        validate,
        "check a config: schema, target import, recording and inputs files, callable providers",
        ["fluxloop config validate --config setting.yaml"],
    )
    add_config(p)
    add_project(p)
    add_json(p, "the problems found")
    p = add_command(
        config,
        "set-llm",
        set_llm,
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
    add_project(p)
    p = add_command(
        config,
        "set",
        set_value,
        "set one key of setting.yaml (typed and checked; comments and order kept)",
        [
            "fluxloop config set runner.timeout_seconds 60",
            "fluxloop config set iterations 5 --project my-agent",
            "fluxloop config set evaluation.gate.min_pass_rate 0.9",
            "fluxloop config set input_generation.strategies '[rephrase, concise]'",
            "fluxloop config set parallel_runs --unset",
        ],
    )
    p.add_argument("key", help="a dotted key path; list items by index (base_inputs.0.input)")
    p.add_argument("value", nargs="?", help="the value, read as YAML (a string if it fits better)")
    p.add_argument("--unset", action="store_true", help="remove the key (back to its default)")
    add_project(p)
    add_config(p)
    p = add_command(
        config,
        "env",
        env,
        "list FluxLoop and LLM environment variables and where each comes from",
        ["fluxloop config env", "fluxloop config env --show-values"],
    )
    add_show_values(p)
    add_project(p)
    add_json(p, "the variables")
    p = add_command(
        config,
        "migrate",
        migrate,
        "write setting.yaml from a fluxloop-cli 0.2.x project (configs/*.yaml)",
        ["fluxloop config migrate --project my-agent", "fluxloop config migrate --force"],
    )
    add_project(p)
    p.add_argument("--force", action="store_true", help="overwrite an existing setting.yaml")
    add_command(
        config,
        "schema",
        schema,
        "print the JSON Schema of setting.yaml (for editor completion)",
        ["fluxloop config schema > setting.schema.json"],
    )


def effective_config(loaded: LoadedConfig, *, show_values: bool = False) -> dict[str, Any]:
    """The config with defaults filled in and paths resolved, secrets hidden.

    Hidden as everywhere else (:mod:`fluxloop_core.redaction`); ``show_values`` shows them
    masked except their last 4 characters.
    """
    from fluxloop_core.redaction import redactor

    data = loaded.config.model_dump(
        mode="json", exclude={"runner": {"module_path", "function_name"}}
    )
    redacted: dict[str, Any] = redactor(show_tail=show_values).data(data)
    return redacted


def show(args: argparse.Namespace) -> int:
    """Print the effective config as YAML (or JSON with --json)."""
    import yaml

    from fluxloop_core.cli.output import print_json
    from fluxloop_core.config.project import open_config

    loaded = open_config(config=args.config, project=args.project)
    data = effective_config(loaded, show_values=args.show_values)
    if args.json:
        print_json(data)
        return EXIT_OK
    collector = loaded.config.collector_url(loaded.env)
    print(f"# effective config of {loaded.path}")
    shown = "masked but the last 4 characters" if args.show_values else "hidden"
    print(f"# (defaults filled in, paths resolved, secrets {shown})")
    print(f"# collector in effect: {collector or 'none (offline)'}")  # redacted on the way out
    print(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), end="")
    return EXIT_OK


def _config_path(args: argparse.Namespace) -> Path:
    from fluxloop_core.config.project import find_project

    if args.config:
        return Path(args.config).expanduser().absolute()
    return find_project(args.project).config_path


def validate(args: argparse.Namespace) -> int:
    """List every problem of a config: schema, target, recording, inputs, providers."""
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.counts import counted
    from fluxloop_core.preflight import validate_project

    path = _config_path(args)
    problems = validate_project(path)
    if args.json:
        print_json(
            {
                "config_file": str(path),
                "ok": not problems,
                "problems": [p.to_json() for p in problems],
            }
        )
        return EXIT_USAGE if problems else EXIT_OK
    for problem in problems:
        print(problem.render())
    if problems:
        count = len(problems)
        print(f"{counted(count, 'problem')} in {path}")
        return EXIT_USAGE
    print(f"ok: {path} is valid (schema, target, recording, inputs)")
    return EXIT_OK


def migrate(args: argparse.Namespace) -> int:
    """Write setting.yaml from a 0.2.x project and list every key not carried over."""
    from fluxloop_core.config.migrate import migrate_project
    from fluxloop_core.config.project import find_project

    result = migrate_project(find_project(args.project).dir, force=args.force)
    print(f"Wrote {result.path}")
    if result.not_carried:
        print("Not carried over (also listed at the end of the file):")
        for dropped in result.not_carried:
            print(f"  {dropped.origin.key} ({dropped.origin.where}): {dropped.reason}")
    return 0


def set_llm(args: argparse.Namespace) -> int:
    """Store the provider's key in the project's .env and the LLM settings in setting.yaml."""
    from fluxloop_core.cli.output import console
    from fluxloop_core.config.edit import set_llm as edit_set_llm
    from fluxloop_core.config.project import find_project
    from fluxloop_core.redaction import mask_secret

    project = find_project(args.project)
    change = edit_set_llm(
        project.config_path,
        args.provider,
        args.key,
        model=args.model,
        base_url=args.base_url,
    )
    print(f"{change.variable}={mask_secret(args.key)} written to {change.env_file}")
    print(
        f"input_generation.llm in {change.config_path}: enabled true, provider "
        f"{change.provider}, model {change.model}"
        + (f", base_url {change.base_url}" if change.base_url else "")
    )
    if change.shadowed_by_process:
        console(stderr=True).print(
            f"warning: {change.variable} is also set in your shell, and that value wins "
            "over .env files; unset it to use the new key.",
            markup=False,
        )
    if change.mode != "llm":
        print(
            f"input_generation.mode is {change.mode}: use `fluxloop generate inputs --mode llm` "
            "or set mode: llm to generate with the model."
        )
    return EXIT_OK


def set_value(args: argparse.Namespace) -> int:
    """Set (or remove) one key of the project's setting.yaml."""
    import json

    from fluxloop_core.config.edit import set_config_value
    from fluxloop_core.config.project import find_project
    from fluxloop_core.errors import UsageError
    from fluxloop_core.redaction import REDACTED, is_secret_name

    if args.unset == (args.value is not None):
        raise UsageError(
            "give a value or --unset, not both and not neither",
            hint=f"e.g. `fluxloop config set {args.key} VALUE`.",
        )
    path = Path(args.config) if args.config else find_project(args.project).config_path
    change = set_config_value(path, args.key, None if args.unset else args.value)

    def shown(value: Any) -> str:
        if value is None:
            return "(default)"
        return REDACTED if is_secret_name(args.key.rpartition(".")[2]) else json.dumps(value)

    print(f"{change.key}: {shown(change.old)} -> {shown(change.new)} in {change.config_path}")
    return EXIT_OK


def _env_for(args: argparse.Namespace) -> tuple[LayeredEnv, Path | None]:
    from fluxloop_core.config.env import load_layered_env
    from fluxloop_core.config.project import find_project
    from fluxloop_core.errors import ProjectNotFoundError

    if args.project:
        project = find_project(args.project)
        return load_layered_env(project.dir), project.dir
    try:
        project = find_project(None)
    except ProjectNotFoundError:
        from fluxloop_core.env_report import workspace_env

        return workspace_env(Path.cwd()), None
    return load_layered_env(project.dir), project.dir


def env(args: argparse.Namespace) -> int:
    """List every FluxLoop/LLM variable, where it comes from, and (masked) values."""
    from fluxloop_core.cli.output import print_json, print_table
    from fluxloop_core.config.sdk_env import sdk_variable_problems
    from fluxloop_core.env_report import env_report

    layered, project_dir = _env_for(args)
    rows = env_report(layered, show_values=args.show_values)
    problems = [error.render() for error in sdk_variable_problems(layered)]
    files = {
        "project": str(project_dir) if project_dir else None,
        "project_env_file": str(layered.project_env_file) if layered.project_env_file else None,
        "global_env_file": str(layered.global_env_file) if layered.global_env_file else None,
    }
    if args.json:
        print_json(
            {
                **files,
                "variables": [
                    {
                        "name": row.name,
                        "set": row.is_set,
                        "source": row.source,
                        "value": row.value,
                        "secret": row.secret,
                        "description": row.description,
                    }
                    for row in rows
                ],
                "problems": problems,
            }
        )
        return EXIT_USAGE if problems else EXIT_OK
    print_table(
        ["VARIABLE", "SOURCE", "VALUE", "DESCRIPTION"],
        [[row.name, row.source, row.value, row.description] for row in rows],
    )
    print(f"project .env: {files['project_env_file'] or 'none'}")
    print(f"global .env:  {files['global_env_file'] or 'none'}")
    if not args.show_values:
        print("values hidden; --show-values shows them (secrets masked but the last 4)")
    for problem in problems:
        print(f"fail  {problem}")
    return EXIT_USAGE if problems else EXIT_OK


def schema(args: argparse.Namespace) -> int:
    """Print the JSON Schema of setting.yaml."""
    from fluxloop_core.cli.output import print_json
    from fluxloop_core.config.models import config_json_schema

    print_json(config_json_schema())
    return EXIT_OK
