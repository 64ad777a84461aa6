"""``fluxloop init project | agent | pytest-template``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fluxloop_core.cli.args import CommandInfo, Subcommands, add_command, add_group, add_project
from fluxloop_core.exit_codes import EXIT_OK

COMMAND = CommandInfo("init", "create projects and agents")
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop init`` and its commands."""
    init = add_group(
        sub,
        COMMAND.name,
        COMMAND.summary,
        ["fluxloop init project --name my-agent", "fluxloop init agent my_agent --template simple"],
    )
    p = add_command(
        init,
        "project",
        init_project,
        "create a project: fluxloop/NAME with setting.yaml, a sample agent and folders",
        [
            "fluxloop init project --name my-agent",
            "fluxloop init project --name my-agent --path ~/work --force",
        ],
    )
    p.add_argument("--name", required=True, help="project name (letters, digits, - and _)")
    p.add_argument("--path", default=".", help="folder in which fluxloop/ is created (default: .)")
    p.add_argument("--force", action="store_true", help="overwrite an existing project")
    p = add_command(
        init,
        "agent",
        init_agent,
        "write examples/NAME.py into the current project from a template",
        [
            "fluxloop init agent my_agent --template simple",
            "fluxloop init agent handler --template replay",
        ],
    )
    p.add_argument("name", help="agent module name (a Python identifier)")
    p.add_argument("--template", default="simple", help="simple or replay (default: simple)")
    add_project(p)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")
    p = add_command(
        init,
        "pytest-template",
        init_pytest_template,
        "write tests/test_agent_fluxloop.py: the project's experiment as a pytest test",
        [
            "fluxloop init pytest-template",
            "fluxloop init pytest-template --project my-agent && pytest fluxloop/my-agent/tests",
        ],
    )
    add_project(p)
    p.add_argument("--force", action="store_true", help="overwrite an existing file")


def _relative(path: Path) -> str:
    """``path`` relative to the current folder when that is shorter, for copy-paste."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def init_project(args: argparse.Namespace) -> int:
    """Create ``PATH/fluxloop/NAME`` and say what to do next."""
    from fluxloop_core.scaffold import create_project

    project = create_project(Path(args.path), args.name, force=args.force)
    where = _relative(project)
    print(f"Created project {args.name} in {where}")
    print(f"  {_relative(project.parent / '.env')}  workspace environment (commented template)")
    for item in (
        "setting.yaml",
        ".env",
        "examples/simple_agent.py",
        "experiments/",
        "inputs/",
        "recordings/",
    ):
        print(f"  {where}/{item}")
    print("Next:")
    print(f"  cd {where}")
    print("  fluxloop run experiment --config setting.yaml")
    return EXIT_OK


def init_agent(args: argparse.Namespace) -> int:
    """Write ``examples/NAME.py`` into the project from a template."""
    from fluxloop_core.config.project import find_project
    from fluxloop_core.scaffold import agent_target, create_agent

    project = find_project(args.project)
    path = create_agent(project.dir, args.name, template=args.template, force=args.force)
    print(f"Created {_relative(path)}")
    print(f'Use it with runner.target: "{agent_target(args.name, args.template)}"')
    return EXIT_OK


def init_pytest_template(args: argparse.Namespace) -> int:
    """Write the project's pytest test and say how to run it."""
    from fluxloop_core.config.project import find_project
    from fluxloop_core.scaffold import create_pytest_template

    project = find_project(args.project)
    path = create_pytest_template(project.dir, project.config_path, force=args.force)
    print(f"Created {_relative(path)}")
    print(f"Run it: pytest {_relative(path.parent)}")
    return EXIT_OK
