"""The shared CLI output helpers: stable plain text when piped, JSON on stdout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from fluxloop_core.cli import output


def test_plain_table_is_aligned_and_unpadded_at_the_end() -> None:
    text = output.format_plain_table(["name", "value"], [["A", "1"], ["LONGER", "two words"]])
    assert text.splitlines() == ["name    value", "A       1", "LONGER  two words"]


def test_print_table_piped_is_plain(capsys: pytest.CaptureFixture[str]) -> None:
    output.print_table(["a", "b"], [["[red]x[/red]", "y"]])
    assert capsys.readouterr().out == "a             b\n[red]x[/red]  y\n"


def test_print_json_keeps_order_and_stringifies_paths(capsys: pytest.CaptureFixture[str]) -> None:
    output.print_json({"z": 1, "a": Path("/x")})
    out = capsys.readouterr().out
    assert json.loads(out) == {"z": 1, "a": "/x"}
    assert out.index('"z"') < out.index('"a"')


def test_console_piped_has_no_escape_codes(capsys: pytest.CaptureFixture[str]) -> None:
    output.console().print("[bold]ok[/bold] " + "word " * 40)
    out = capsys.readouterr().out
    assert "\x1b[" not in out
    assert out.count("\n") == 1  # never wrapped when piped
