"""Core errors name config keys, never command-line flags: the TUI shows them too.

Read from the source: every ``raise SomethingError(...)`` in the core outside the CLI, its
message and its ``key``. Hints may still quote a whole ``fluxloop ...`` command.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from fluxloop_core.errors import UsageError
from fluxloop_core.scaffold import create_agent, create_project

CORE = Path(__file__).resolve().parents[1] / "fluxloop_core"
FLAG = re.compile(r"(?<![\w-])--[a-z][\w-]*")
# The CLI's own messages may name its flags.
ELSEWHERE = ("cli/",)


def _texts(node: ast.expr) -> list[str]:
    """The literal text pieces of a string, an f-string or a concatenation of them."""
    return [
        part.value
        for part in ast.walk(node)
        if isinstance(part, ast.Constant) and isinstance(part.value, str)
    ]


def flag_words_in_errors(path: Path, root: Path = CORE) -> list[str]:
    """``file:line: text`` for each error message or key in ``path`` that names a flag."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not (isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call)):
            continue
        call = node.exc
        named = [kw.value for kw in call.keywords if kw.arg == "key"]
        for arg in [*call.args[:1], *named]:
            for text in _texts(arg):
                if FLAG.search(text):
                    found.append(f"{path.relative_to(root)}:{node.lineno}: {text}")
    return found


def test_the_scan_finds_a_flag_in_a_message_and_a_key(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        'raise UsageError(f"--parallel-runs must be at most {n}")\n'
        'raise UsageError("bad", key="--model", hint="see `fluxloop run --help`")\n'
        'raise UsageError("runner.parallel_runs must be at most 64", hint="or --force")\n'
    )
    found = flag_words_in_errors(sample, root=tmp_path)
    assert [line.split(":")[1] for line in found] == ["1", "2"]


def test_no_core_error_names_a_flag() -> None:
    found = [
        problem
        for path in sorted(CORE.rglob("*.py"))
        if not str(path.relative_to(CORE)).startswith(ELSEWHERE)
        for problem in flag_words_in_errors(path)
    ]
    assert found == []


@pytest.mark.parametrize(
    ("make", "key"),
    [
        (lambda where: create_project(where, "bad name!"), "name"),
        (lambda where: create_project(where, "ok", template="fancy"), "template"),
        (lambda where: create_agent(where, "not-an-identifier"), "name"),
        (lambda where: create_agent(where, "fine", template="fancy"), "template"),
    ],
)
def test_scaffold_errors_name_the_same_keys_for_the_cli_and_the_tui(
    tmp_path: Path, make: Callable[[Path], object], key: str
) -> None:
    with pytest.raises(UsageError) as raised:
        make(tmp_path)
    assert raised.value.key == key
    assert not FLAG.search(raised.value.render().split(". ")[0])
