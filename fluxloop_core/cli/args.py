"""What every command group declares its arguments with: one definition of each shared
option (``--project``, ``--config``, ``--json``, ``--show-values``), the value types, and
the help layout with examples.

Only argparse is imported here, and the modules that declare commands keep their
handlers' imports inside the handlers: every command starts by importing all of them.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

Handler = Callable[[argparse.Namespace], int]
"""A command's handler: reads the parsed arguments, returns the exit code."""

Subcommands = Any
"""What ``add_subparsers`` returns (argparse does not name its type publicly)."""


class CommandInfo(NamedTuple):
    """A top-level command or group as ``fluxloop --help`` lists it: enough to choose it
    without declaring its arguments (each module declares its own ``COMMAND``). A tuple,
    not a dataclass: importing dataclasses would cost ``--help`` a few milliseconds."""

    name: str
    summary: str
    aliases: tuple[str, ...] = ()


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Keeps the hand-written examples in epilogs as they are."""


def examples(*lines: str) -> str:
    """The ``examples:`` block shown at the end of a command's help."""
    return "examples:\n" + "\n".join(f"  {line}" for line in lines)


def new_parser(
    sub: Subcommands,
    name: str,
    help_text: str,
    lines: Sequence[str],
    aliases: Sequence[str] = (),
) -> Any:
    """A subcommand parser with ``help_text`` as its help and description, and examples
    (``aliases``: other names it answers to, e.g. a released CLI's)."""
    parser: argparse.ArgumentParser = sub.add_parser(
        name,
        aliases=list(aliases),
        help=help_text,
        description=help_text,
        epilog=examples(*lines),
        formatter_class=_Formatter,
    )
    return parser


def add_group(
    sub: Subcommands,
    name: str,
    help_text: str,
    lines: Sequence[str],
    aliases: Sequence[str] = (),
) -> Subcommands:
    """A command group (``fluxloop NAME COMMAND``); returns the place its commands go.

    ``fluxloop NAME`` alone prints the group's help (see :func:`main`).
    """
    parser = new_parser(sub, name, help_text, lines, aliases)
    parser.set_defaults(_parser=parser)
    return parser.add_subparsers(title="commands", metavar="COMMAND")


def add_command(
    sub: Subcommands, name: str, handler: Handler, help_text: str, lines: Sequence[str]
) -> argparse.ArgumentParser:
    """A command that runs ``handler``; the caller adds its arguments to the result."""
    parser: argparse.ArgumentParser = new_parser(sub, name, help_text, lines)
    parser.set_defaults(_handler=handler)
    return parser


COMPLETES = "fluxloop_completes"
"""The attribute an argument carries to tell shell completion what its values are:
``projects`` or ``experiments`` (listed by ``fluxloop completion --values``). Without it,
choices complete as themselves, a FILE or PATH metavar as files, a DIR as folders, and
other values as nothing."""


def completes(action: argparse.Action, kind: str) -> argparse.Action:
    """Mark ``action`` so `fluxloop completion` offers ``kind`` for its values."""
    setattr(action, COMPLETES, kind)
    return action


def add_project(parser: argparse.ArgumentParser) -> None:
    """``--project NAME|PATH``: which project a command is about."""
    action = parser.add_argument(
        "--project",
        metavar="NAME|PATH",
        help="a project name under ./fluxloop/ or a project folder "
        "(default: the current folder or its parents)",
    )
    completes(action, "projects")


def add_experiment_dir(parser: argparse.ArgumentParser) -> None:
    """``[DIR]``: the experiment folder a command reads (default: the project's latest)."""
    completes(
        parser.add_argument(
            "experiment_dir",
            nargs="?",
            metavar="DIR",
            help="an experiment folder (default: the project's latest experiment)",
        ),
        "experiments",
    )


def add_config(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``: a setting.yaml instead of the project's."""
    parser.add_argument("--config", metavar="FILE", help="a setting.yaml (default: the project's)")


def add_json(parser: argparse.ArgumentParser, what: str = "the result") -> None:
    """``--json``: print ``what`` as JSON on stdout instead of text."""
    parser.add_argument("--json", action="store_true", help=f"print {what} as JSON on stdout")


def add_show_values(parser: argparse.ArgumentParser) -> None:
    """``--show-values``: show values, secrets masked but their last 4 characters."""
    parser.add_argument(
        "--show-values",
        action="store_true",
        help="show values (secrets masked except the last 4 characters; hidden without it)",
    )


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _number(text: str, accepted: Callable[[float], bool], expected: str) -> float:
    """``text`` as a number ``accepted`` takes (NaN never is); else an argparse error
    saying what was ``expected``."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if value != value or not accepted(value):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {value}")
    return value


def positive_amount(text: str) -> float:
    """An argparse type: a finite number above 0 (an amount of money, a duration)."""
    return _number(text, lambda v: 0 < v < float("inf"), "a number above 0")


def rate(text: str) -> float:
    """An argparse type: a number from 0 to 1."""
    return _number(text, lambda v: 0.0 <= v <= 1.0, "a number from 0 to 1")


def open_rate(text: str) -> float:
    """An argparse type: a number between 0 and 1, both excluded (a significance level)."""
    return _number(text, lambda v: 0.0 < v < 1.0, "a number between 0 and 1")
