"""Output helpers shared by every CLI handler.

Rich output on a terminal; stable plain text when piped (so CI logs and ``grep`` see the
same bytes every time); ``--json`` output on stdout. ``NO_COLOR`` turns colour off.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rich.console import Console

from fluxloop_core.redaction import redact, redactor


class _RedactingStream:
    """A text stream that passes on what is written with every secret hidden.

    Everything else (isatty, fileno, flush, encoding…) is the wrapped stream's, so rich
    and ``print`` see the terminal or pipe they would see without it.
    """

    def __init__(self, stream: IO[str], show_values: bool) -> None:
        self.wrapped = stream
        self.show_values = show_values

    def write(self, text: str) -> int:
        self.wrapped.write(redactor(show_tail=self.show_values).text(text))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.wrapped, name)


def redact_streams(*, show_values: bool = False) -> None:
    """Route stdout and stderr through :mod:`fluxloop_core.redaction` for the process.

    The one hook of the CLI: whatever a handler prints (``print``, rich, tables, JSON,
    warnings, error paragraphs, a traceback at exit) is redacted; ``show_values`` shows
    secrets masked except their last 4 characters instead of hiding them.
    """
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if isinstance(stream, _RedactingStream):
            stream = stream.wrapped
        setattr(sys, name, _RedactingStream(stream, show_values))


def _stream(stderr: bool) -> IO[str]:
    return sys.stderr if stderr else sys.stdout


def is_tty(stderr: bool = False) -> bool:
    """Whether the stream is an interactive terminal (rich output) rather than a pipe."""
    stream = _stream(stderr)
    return bool(getattr(stream, "isatty", lambda: False)())


def no_color() -> bool:
    """The NO_COLOR convention (https://no-color.org): any non-empty value turns colour off."""
    return bool(os.environ.get("NO_COLOR"))


def console(stderr: bool = False) -> Console:
    """A rich Console for stdout (or stderr): styled on a TTY, plain text when piped.

    When piped, lines are never wrapped and carry no escape codes, so output is stable.
    """
    if is_tty(stderr):
        return Console(stderr=stderr, no_color=no_color(), highlight=False)
    return Console(
        file=_stream(stderr),
        color_system=None,
        force_terminal=False,
        no_color=True,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


def print_json(obj: Any) -> None:
    """Print ``obj`` as indented JSON on stdout (keys in the order given; paths as strings)."""
    sys.stdout.write(json.dumps(obj, indent=2, ensure_ascii=False, default=str) + "\n")


def format_plain_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """Columns aligned with two spaces between them; the last column is never padded."""
    cells = [[str(h) for h in headers], *[[str(c) for c in row] for row in rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.ljust(widths[i]) for i, cell in enumerate(row[:-1])]
        lines.append("  ".join([*padded, row[-1]]).rstrip())
    return "\n".join(lines)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A rich table on a TTY, aligned plain text otherwise (stdout)."""
    if not headers:
        return
    if not is_tty():
        sys.stdout.write(format_plain_table(headers, rows) + "\n")
        return
    from rich.markup import escape
    from rich.table import Table

    table = Table(*headers, header_style="bold", box=None, pad_edge=False)
    for row in rows:
        # Redacted before rich folds a long cell over lines, where the stream would miss it.
        table.add_row(*(escape(redact(str(cell))) for cell in row))
    console().print(table)
