"""Shell completion scripts for bash, zsh and fish, generated from the argument parser.

The parser is the one description of the command line: :func:`command_specs` reads every
command, its options and what their values are (see :data:`~fluxloop_core.cli.args.
COMPLETES`), and each shell's script is written from that, so a new command or option
completes without anyone editing a script. Values that depend on where the user stands —
project names, experiment folders — are asked of ``fluxloop completion --values KIND`` when
the user presses Tab.
"""

from __future__ import annotations

import argparse
import shlex
from dataclasses import dataclass

from fluxloop_core.cli.args import COMPLETES

DYNAMIC_KINDS = ("projects", "experiments")
_METAVAR_KINDS = {"FILE": "files", "PATH": "files", "DIR": "dirs"}


@dataclass(frozen=True)
class OptionSpec:
    """One option of a command: its flags and, when it takes a value, what that is."""

    flags: tuple[str, ...]
    takes_value: bool
    values: str | None  # projects, experiments, files, dirs, "choices", or None: free text
    choices: tuple[str, ...]


@dataclass(frozen=True)
class CommandSpec:
    """A command path (``()`` is ``fluxloop`` itself) and what may follow it."""

    path: tuple[str, ...]
    subcommands: tuple[str, ...]
    options: tuple[OptionSpec, ...]
    positional: str | None  # what its first positional argument completes to
    choices: tuple[str, ...]

    @property
    def key(self) -> str:
        """The path as the scripts spell it: ``config show``; empty for the top."""
        return " ".join(self.path)


def _values(action: argparse.Action) -> tuple[str | None, tuple[str, ...]]:
    marked = getattr(action, COMPLETES, None)
    if marked is not None:
        return marked, ()
    if action.choices is not None:
        return "choices", tuple(str(choice) for choice in action.choices)
    metavar = action.metavar if isinstance(action.metavar, str) else None
    return _METAVAR_KINDS.get(metavar or ""), ()


def command_specs(parser: argparse.ArgumentParser) -> list[CommandSpec]:
    """Every command reachable from ``parser``, parents before children."""
    specs: list[CommandSpec] = []

    def walk(node: argparse.ArgumentParser, path: tuple[str, ...]) -> None:
        children: dict[str, argparse.ArgumentParser] = {}
        options: list[OptionSpec] = []
        positional: tuple[str | None, tuple[str, ...]] = (None, ())
        seen_positional = False
        for action in node._actions:
            if isinstance(action, argparse._SubParsersAction):
                children.update(action.choices)
            elif action.option_strings:
                values, choices = _values(action)
                options.append(
                    OptionSpec(tuple(action.option_strings), action.nargs != 0, values, choices)
                )
            elif not seen_positional:
                seen_positional = True
                positional = _values(action)
        specs.append(CommandSpec(path, tuple(children), tuple(options), *positional))
        for name, child in children.items():
            walk(child, (*path, name))

    walk(parser, ())
    return specs


def _quote(words: list[str] | tuple[str, ...]) -> str:
    return shlex.quote(" ".join(words))


def _step(spec: CommandSpec) -> str:
    """The ``PARENT/NAME`` a script matches to step from the parent into ``spec``."""
    return shlex.quote(" ".join(spec.path[:-1]) + "/" + spec.path[-1])


def _bash_words(words: tuple[str, ...]) -> str:
    return f'COMPREPLY=($(compgen -W {_quote(words)} -- "$cur"))'


def _bash_reply(values: str | None, choices: tuple[str, ...]) -> str:
    if values in DYNAMIC_KINDS:
        # One value a line: experiment paths may hold spaces.
        return f'_fluxloop_lines "$(fluxloop completion --values {values} 2>/dev/null)"'
    if values == "choices":
        return _bash_words(choices)
    if values == "files":
        return 'COMPREPLY=($(compgen -f -- "$cur"))'
    if values == "dirs":
        return 'COMPREPLY=($(compgen -d -- "$cur"))'
    return "COMPREPLY=()"


def bash_script(specs: list[CommandSpec]) -> str:
    """A bash script defining ``_fluxloop`` and registering it for ``fluxloop``."""
    steps = [
        f"            {_step(spec)}) path={shlex.quote(spec.key)} ;;" for spec in specs if spec.path
    ]
    option_values = []
    option_words = []
    arguments = []
    for spec in specs:
        for option in spec.options:
            if option.takes_value:
                patterns = "|".join(shlex.quote(f"{spec.key}/{flag}") for flag in option.flags)
                option_values.append(
                    f"        {patterns}) {_bash_reply(option.values, option.choices)}; return ;;"
                )
        flags = [flag for option in spec.options for flag in option.flags]
        option_words.append(f"            {shlex.quote(spec.key)}) words={_quote(flags)} ;;")
        if spec.subcommands:
            reply = _bash_words(spec.subcommands)
        else:
            reply = _bash_reply(spec.positional, spec.choices)
        arguments.append(f"        {shlex.quote(spec.key)}) {reply} ;;")
    return "\n".join(
        [
            "# bash completion for fluxloop; generated by `fluxloop completion bash`.",
            "_fluxloop_lines() {",
            "    local IFS=$'\\n'",
            '    COMPREPLY=($(compgen -W "$1" -- "$cur"))',
            "}",
            "_fluxloop() {",
            '    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"',
            '    local path="" word words i',
            "    for ((i = 1; i < COMP_CWORD; i++)); do",
            '        word="${COMP_WORDS[i]}"',
            '        case "$path/$word" in',
            *steps,
            "        esac",
            "    done",
            '    case "$path/$prev" in',
            *option_values,
            "    esac",
            '    if [[ "$cur" == -* ]]; then',
            '        case "$path" in',
            *option_words,
            "        esac",
            '        COMPREPLY=($(compgen -W "$words" -- "$cur"))',
            "        return",
            "    fi",
            '    case "$path" in',
            *arguments,
            "    esac",
            "}",
            "complete -o bashdefault -F _fluxloop fluxloop",
            "",
        ]
    )


def zsh_script(specs: list[CommandSpec]) -> str:
    """zsh runs the bash script through its bashcompinit layer (same behaviour, one source)."""
    return "\n".join(
        [
            "# zsh completion for fluxloop; generated by `fluxloop completion zsh`.",
            "autoload -U +X compinit && compinit",
            "autoload -U +X bashcompinit && bashcompinit",
            bash_script(specs),
        ]
    )


def _fish_values(values: str | None, choices: tuple[str, ...]) -> str:
    if values in DYNAMIC_KINDS:
        return f" -f -a '(fluxloop completion --values {values} 2>/dev/null)'"
    if values == "choices":
        return f" -f -a {_quote(choices)}"
    if values in ("files", "dirs"):
        return " -F"
    return " -f"


def fish_script(specs: list[CommandSpec]) -> str:
    """fish ``complete`` lines, each guarded by the command path typed so far."""
    steps = [
        f"            case {_step(spec)}\n                set path {shlex.quote(spec.key)}"
        for spec in specs
        if spec.path
    ]
    lines = [
        "# fish completion for fluxloop; generated by `fluxloop completion fish`.",
        "function __fluxloop_path",
        "    set -l path ''",
        "    for word in (commandline -opc)[2..-1]",
        '        switch "$path/$word"',
        *steps,
        "        end",
        "    end",
        "    echo $path",
        "end",
        "function __fluxloop_at",
        '    test (__fluxloop_path) = "$argv[1]"',
        "end",
        "complete -c fluxloop -f",
    ]
    for spec in specs:
        guard = f"-n {shlex.quote('__fluxloop_at ' + shlex.quote(spec.key))}"
        if spec.subcommands:
            lines.append(f"complete -c fluxloop {guard} -a {_quote(spec.subcommands)}")
        elif spec.positional is not None:
            lines.append(
                f"complete -c fluxloop {guard}{_fish_values(spec.positional, spec.choices)}"
            )
        for option in spec.options:
            names = "".join(
                f" -l {flag[2:]}" if flag.startswith("--") else f" -s {flag[1:]}"
                for flag in option.flags
            )
            values = (
                " -r" + _fish_values(option.values, option.choices) if option.takes_value else ""
            )
            lines.append(f"complete -c fluxloop {guard}{names}{values}")
    return "\n".join(lines) + "\n"


def completion_script(shell: str, parser: argparse.ArgumentParser) -> str:
    """The completion script of ``shell`` (bash, zsh or fish) for ``parser``."""
    specs = command_specs(parser)
    return {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[shell](specs)
