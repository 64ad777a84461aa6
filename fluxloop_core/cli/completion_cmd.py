"""``fluxloop completion SHELL``: a completion script for bash, zsh or fish."""

from __future__ import annotations

import argparse

from fluxloop_core.cli.args import CommandInfo, Subcommands, add_command
from fluxloop_core.exit_codes import EXIT_OK, EXIT_USAGE

SHELLS = ("bash", "zsh", "fish")
VALUE_KINDS = ("projects", "experiments")


COMMAND = CommandInfo(
    "completion", "print a shell completion script (commands, options, projects, experiments)"
)
"""What ``fluxloop --help`` lists without building this group's parsers."""


def register(sub: Subcommands) -> None:
    """Declare ``fluxloop completion`` (a command of its own, no group)."""
    p = add_command(
        sub,
        COMMAND.name,
        completion,
        COMMAND.summary,
        [
            "fluxloop completion bash > ~/.local/share/bash-completion/completions/fluxloop",
            "echo 'eval \"$(fluxloop completion zsh)\"' >> ~/.zshrc",
            "fluxloop completion fish > ~/.config/fish/completions/fluxloop.fish",
        ],
    )
    p.add_argument("shell", nargs="?", choices=SHELLS, help="the shell to complete in")
    p.add_argument(
        "--values",
        choices=VALUE_KINDS,
        help="print the names the scripts offer here, one per line (used on Tab)",
    )


def completion(args: argparse.Namespace) -> int:
    """Print the script for ``args.shell``, or the ``--values`` offered from this folder."""
    import sys
    from pathlib import Path

    if args.values:
        from fluxloop_core.completion_values import completion_values

        for value in completion_values(args.values, Path.cwd()):
            sys.stdout.write(value + "\n")
        return EXIT_OK
    if args.shell is None:
        print("error: name a shell: bash, zsh or fish.", file=sys.stderr)
        return EXIT_USAGE
    from fluxloop_core.cli.completion import completion_script

    sys.stdout.write(completion_script(args.shell, args._root))
    return EXIT_OK
