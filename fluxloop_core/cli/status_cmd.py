"""``fluxloop status check``: one ok/warn/fail line per check; exit 2 when any fails."""

from __future__ import annotations

import argparse

from fluxloop_core.cli.output import console, is_tty, print_json
from fluxloop_core.config.project import open_config
from fluxloop_core.errors import ConfigError
from fluxloop_core.redaction import redact
from fluxloop_core.status import Check, run_checks

_STYLE = {"ok": "green", "warn": "yellow", "fail": "red"}


def _print(checks: list[Check]) -> None:
    width = max(len(check.name) for check in checks)
    if not is_tty():
        for check in checks:
            print(f"{check.level:<4}  {check.name:<{width}}  {check.message}")
        return
    from rich.markup import escape
    from rich.table import Table

    # A table keeps a wrapped message inside its column on narrow terminals; it is
    # redacted first, as a secret folded over two lines escapes the stream's redaction.
    table = Table(box=None, show_header=False, pad_edge=False)
    for check in checks:
        style = _STYLE[check.level]
        table.add_row(
            f"[{style}]{check.level}[/{style}]", check.name, escape(redact(check.message))
        )
    console().print(table)


def check(args: argparse.Namespace) -> int:
    """Check config, target, keys, collector, recording, inputs and the last experiment."""
    try:
        loaded = open_config(config=getattr(args, "config", None), project=args.project)
    except ConfigError as error:
        checks = [Check("config", "fail", error.render())]
    else:
        checks = run_checks(loaded)
    if args.json:
        print_json([{"name": c.name, "level": c.level, "message": c.message} for c in checks])
    else:
        _print(checks)
    return 2 if any(c.level == "fail" for c in checks) else 0
