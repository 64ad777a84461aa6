"""``fluxloop doctor``: this machine's and this project's set-up, with a fix for each problem.

Exit 0 when nothing fails (warnings allowed), 1 when something FluxLoop needs is missing.
"""

from __future__ import annotations

import argparse

from fluxloop_core.cli.args import CommandInfo, Subcommands, add_command, add_json, add_project
from fluxloop_core.exit_codes import EXIT_FAILED_BAR, EXIT_OK

_STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}


COMMAND = CommandInfo(
    "doctor", "check Python, packages, the agent's SDK, keys, collector and extras"
)
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop doctor`` (a command of its own, no group)."""
    p = add_command(
        sub,
        COMMAND.name,
        doctor,
        COMMAND.summary,
        ["fluxloop doctor", "fluxloop doctor --project my-agent --json"],
    )
    add_project(p)
    add_json(p, "the findings")


def doctor(args: argparse.Namespace) -> int:
    """Print one line per finding (and its fix); exit 1 when any fails."""
    from rich.text import Text

    from fluxloop_core.cli.output import console, print_json
    from fluxloop_core.doctor import diagnose

    findings = diagnose(args.project)
    failed = any(f.level == "fail" for f in findings)
    if args.json:
        print_json(
            {
                "ok": not failed,
                "findings": [
                    {"name": f.name, "level": f.level, "detail": f.detail, "fix": f.fix}
                    for f in findings
                ],
            }
        )
        return EXIT_FAILED_BAR if failed else EXIT_OK
    out = console()
    width = max(len(f.name) for f in findings)
    for f in findings:
        line = Text()
        line.append(f"{f.level:<4}", style=_STYLE[f.level])
        line.append(f"  {f.name:<{width}}  {f.detail}")
        if f.fix:
            line.append(f"\n      fix: {f.fix}")
        out.print(line)
    return EXIT_FAILED_BAR if failed else EXIT_OK
