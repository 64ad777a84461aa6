"""``fluxloop init project`` and ``fluxloop init agent``."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from fluxloop_core.config.project import find_project
from fluxloop_core.scaffold import agent_target, create_agent, create_project


def _relative(path: Path) -> str:
    """``path`` relative to the current folder when that is shorter, for copy-paste."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)


def init_project(args: argparse.Namespace) -> int:
    """Create ``PATH/fluxloop/NAME`` and say what to do next."""
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
    return 0


def init_agent(args: argparse.Namespace) -> int:
    """Write ``examples/NAME.py`` into the project from a template."""
    project = find_project(args.project)
    path = create_agent(project.dir, args.name, template=args.template, force=args.force)
    print(f"Created {_relative(path)}")
    print(f'Use it with runner.target: "{agent_target(args.name, args.template)}"')
    return 0
