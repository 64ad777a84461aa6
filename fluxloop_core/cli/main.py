"""The plain ``fluxloop`` command line: assembles the command groups and dispatches.

Each group declares its own arguments beside its handlers (``*_cmd.py``, with the shared
options of :mod:`.args`); a handler imports what it needs when it runs, so
``fluxloop --help`` never pays for rich, pydantic, openai or textual.

Exit codes are an API (:mod:`fluxloop_core.exit_codes`): 0 ok, 1 the experiment ran but
failed its bar, 2 bad usage or bad config, 3 FluxLoop itself failed (one line and a crash
log), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from fluxloop_core.cli import (
    compare_cmd,
    completion_cmd,
    config_cmd,
    doctor_cmd,
    evaluate_cmd,
    generate_cmd,
    init_cmd,
    record_cmd,
    report_cmd,
    run_cmd,
    status_cmd,
    tui_cmd,
)
from fluxloop_core.cli.args import Handler, examples
from fluxloop_core.exit_codes import EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE

# In the order `fluxloop --help` lists them.
GROUPS = (
    init_cmd,
    config_cmd,
    record_cmd,
    generate_cmd,
    run_cmd,
    evaluate_cmd,
    compare_cmd,
    report_cmd,
    status_cmd,
    doctor_cmd,
    completion_cmd,
    tui_cmd,
)


class _Version(argparse.Action):
    """``--version``: reads the installed version only when asked (not for ``--help``)."""

    def __init__(self, option_strings: list[str], dest: str, **kwargs: Any) -> None:
        super().__init__(
            option_strings, dest, nargs=0, help="show program's version number and exit"
        )

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from fluxloop_core import installed_version

        sys.stdout.write(f"fluxloop {installed_version()}\n")  # stdout, as argparse's own
        parser.exit()


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command tree, each group declared by its own module.

    With ``argv``, only the command it names is declared whole; the others are listed by
    name and summary, which is all ``fluxloop --help`` shows (declaring the ~30 commands'
    arguments is most of a start-up's cost). Without, the whole tree.
    """
    parser = argparse.ArgumentParser(
        prog="fluxloop",
        description="FluxLoop: record the real calls your AI agent receives, generate "
        "variations, replay them in parallel and read the results.",
        epilog=examples(
            "fluxloop init project --name my-agent",
            "cd fluxloop/my-agent",
            "fluxloop run experiment --config setting.yaml --no-collector",
            "fluxloop status experiments",
            "fluxloop tui",
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action=_Version)
    # _root: the whole tree, for commands that describe it (`fluxloop completion`).
    parser.set_defaults(_parser=parser, _root=parser)
    sub = parser.add_subparsers(title="commands", metavar="COMMAND")
    chosen = _command_word(argv) if argv is not None else None
    for group in GROUPS:
        info = group.COMMAND
        if argv is None or chosen == _WHOLE_TREE or chosen in (info.name, *info.aliases):
            group.register(sub)
        else:
            sub.add_parser(info.name, aliases=list(info.aliases), help=info.summary)
    return parser


_WHOLE_TREE = completion_cmd.COMMAND.name
"""The command that describes every other one, so needs them all declared."""


def _command_word(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (its first word that is not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``fluxloop`` console script; returns the exit code."""
    words = _words(argv)
    parser = build_parser(words)
    args = parser.parse_args(words)
    handler: Handler | None = getattr(args, "_handler", None)
    if handler is None:
        args._parser.print_help()
        return EXIT_USAGE
    # Imported here so `--help` stays free of them; errors is tiny.
    from fluxloop_core.cli.crash import report_crash
    from fluxloop_core.cli.output import redact_streams
    from fluxloop_core.errors import UserError, from_os_error

    # Everything a handler prints from here on, error paragraphs included, is redacted.
    redact_streams(show_values=getattr(args, "show_values", False))
    try:
        return handler(args)
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
            return report_crash(raw, _words(argv))
        print(f"error: {located.render()}", file=sys.stderr)
        return located.exit_code
    except Exception as error:  # anything else is FluxLoop's own bug: exit 3, a crash log
        return report_crash(error, _words(argv))


def _words(argv: Sequence[str] | None) -> list[str]:
    return list(sys.argv[1:] if argv is None else argv)


if __name__ == "__main__":
    raise SystemExit(main())
