"""Run reports and their index as Markdown or HTML (self-contained: inline CSS only)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from fluxloop_core.evaluation.html_report import escape, table_of, td
from fluxloop_core.evaluation.markup import xml_text
from fluxloop_core.evaluation.reports import md_cell
from fluxloop_core.run_report.document import Section

FORMATS = ("md", "html")
CELL_CHARS = 20_000
STATUS_COLUMN = 2
_STYLE = (
    "body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;"
    "text-align:left;vertical-align:top}th{background:#f5f5f7}"
    "pre{background:#f6f8fa;padding:.6rem;white-space:pre-wrap;word-break:break-word}"
    ".success{color:#1a7f37}.error,.timeout{color:#cf222e}"
)
_TICKS = re.compile(r"`+")


def _fence(text: str) -> str:
    # Longer than any run of backticks inside, so an agent's output cannot close it.
    longest = max((len(m) for m in _TICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def _cell(text: str) -> str:
    # A run's values are long: only the table's own limit applies (see md_cell).
    return md_cell(text, CELL_CHARS)


def _md_table(rows: Sequence[Sequence[str]]) -> list[str]:
    header, *body = rows
    lines = ["| " + " | ".join(_cell(c) for c in header) + " |"]
    lines.append("|" + "---|" * len(header))
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in body]
    return lines


def markdown_run(title: str, sections: list[Section]) -> str:
    """One run's report as Markdown."""
    lines = [f"# {_cell(title)}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        if section.kind == "table":
            lines += _md_table(section.rows)
        else:
            text = xml_text(section.text)
            fence = _fence(text)
            lines += [fence, text, fence]
        lines.append("")
    return "\n".join(lines)


def _html_table(rows: Sequence[Sequence[str]]) -> str:
    header, *body = rows
    return table_of(list(header), [[td(cell) for cell in row] for row in body])


def _html_page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body><h1>{escape(title)}</h1>{body}</body></html>\n"
    )


def html_run(title: str, sections: list[Section]) -> str:
    """One run's report as one self-contained HTML page."""
    parts = []
    for section in sections:
        content = (
            _html_table(section.rows)
            if section.kind == "table"
            else f"<pre>{escape(section.text)}</pre>"
        )
        parts.append(f"<h2>{escape(section.title)}</h2>{content}")
    return _html_page(title, "".join(parts))


def index_chunks(
    fmt: str,
    title: str,
    facts: str,
    header: Sequence[str],
    rows: Iterable[tuple[list[str], str | None]],
) -> Iterator[str]:
    """The index, piece by piece (it may list 100,000 runs): ``rows`` are a run's cells
    and the relative link to its own report (None without ``--per-run``)."""
    if fmt == "md":
        yield f"# {_cell(title)}\n\n{_cell(facts)}\n\n"
        yield "| " + " | ".join(header) + " |\n|" + "---|" * len(header) + "\n"
        for cells, link in rows:
            first = f"[{_cell(cells[0])}]({link})" if link else _cell(cells[0])
            yield "| " + " | ".join([first, *(_cell(c) for c in cells[1:])]) + " |\n"
        return
    head = "".join(f"<th>{escape(c)}</th>" for c in header)
    page = _html_page(title, f"<p>{escape(facts)}</p><table><tr>{head}</tr>")
    opening, closing = page.split("</body>", 1)
    yield opening
    for cells, link in rows:
        row = []
        for column, cell in enumerate(cells):
            text = escape(cell)
            if column == 0 and link:
                text = f'<a href="{escape(link)}">{text}</a>'
            # The status column (RUN_COLUMNS) is coloured by its value.
            css = f' class="{escape(cell)}"' if column == STATUS_COLUMN else ""
            row.append(f"<td{css}>{text}</td>")
        yield "<tr>" + "".join(row) + "</tr>"
    yield "</table></body>" + closing
