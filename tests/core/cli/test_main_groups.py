"""Each command group declares its own arguments beside its handlers; main only assembles."""

from __future__ import annotations

import argparse
import ast
from pathlib import Path

from fluxloop_core.cli import main as cli_main


def _leaves(parser: argparse.ArgumentParser) -> list[argparse.ArgumentParser]:
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                found += _leaves(child) if child.get_default("_handler") is None else [child]
    return found


def test_every_command_runs_a_handler_of_the_module_that_declares_it() -> None:
    parser = cli_main.build_parser()
    leaves = _leaves(parser)
    assert len(leaves) == 25  # config set, record *, report, doctor, completion, compare...
    groups = {group.__name__: group for group in cli_main.GROUPS}
    for leaf in leaves:
        handler = leaf.get_default("_handler")
        # Defined in a group module, under the name the group registers.
        assert getattr(groups[handler.__module__], handler.__name__) is handler, leaf.prog


def test_main_declares_no_command_option() -> None:
    tree = ast.parse(Path(cli_main.__file__).read_text(encoding="utf-8"))
    calls = [
        node.func.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
    ]
    # Only the program's own --version; every command's options live in its group. The
    # one add_parser lists a command not chosen by its COMMAND name and summary.
    assert calls.count("add_argument") == 1
    assert calls.count("add_parser") == 1


def _leaf_names(parser: argparse.ArgumentParser) -> list[str]:
    return sorted(leaf.prog for leaf in _leaves(parser))


def test_a_command_line_declares_only_the_command_it_names() -> None:
    whole = cli_main.build_parser()
    for group in cli_main.GROUPS:
        info = group.COMMAND
        if group is cli_main.completion_cmd:
            continue  # describes the whole tree (below)
        for word in (info.name, *info.aliases):
            chosen = cli_main.build_parser([word, "--help"])
            # The named command (or alias) whole, exactly as in the whole tree...
            expected = [p for p in _leaf_names(whole) if p.split()[1] == info.name]
            assert expected and _leaf_names(chosen) == expected
    # ...and `fluxloop --help` none: each command is listed by its name and summary only.
    listed = cli_main.build_parser(["--help"])
    assert _leaf_names(listed) == []
    help_text = listed.format_help()
    for group in cli_main.GROUPS:
        assert group.COMMAND.summary.split()[0] in help_text


def test_completion_declares_the_whole_tree() -> None:
    parser = cli_main.build_parser(["completion", "bash"])
    assert _leaf_names(parser) == _leaf_names(cli_main.build_parser())
