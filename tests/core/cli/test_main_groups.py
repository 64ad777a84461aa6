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
    # Only the program's own --version; every command's options live in its group.
    assert calls.count("add_argument") == 1
    assert "add_parser" not in calls
