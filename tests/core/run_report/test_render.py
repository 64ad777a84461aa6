"""Markdown and HTML that an agent's text cannot break out of."""

from __future__ import annotations

from html.parser import HTMLParser

from fluxloop_core.run_report.document import Section
from fluxloop_core.run_report.render import html_run, index_chunks, markdown_run

HOSTILE = "```\n# not a heading\n| a | b |\n<script>alert(1)</script>\x00\x1b[31m"


def test_markdown_fences_are_longer_than_any_backticks_inside() -> None:
    text = markdown_run("run", [Section("Output", "text", text="a ```` b")])
    fence_lines = [line for line in text.splitlines() if line.startswith("`")]
    assert fence_lines == ["`````", "`````"]


def test_markdown_table_cells_cannot_add_columns_or_rows() -> None:
    text = markdown_run("run", [Section("T", "table", rows=(("a", "b"), ("x|y", "1\n2")))])
    row = next(line for line in text.splitlines() if line.startswith("| x"))
    assert row == "| x\\|y | 1 2 |"


def test_control_characters_are_dropped_everywhere() -> None:
    for text in (
        markdown_run(HOSTILE, [Section("Output", "text", text=HOSTILE)]),
        html_run(HOSTILE, [Section("Output", "text", text=HOSTILE)]),
    ):
        assert "\x00" not in text and "\x1b" not in text


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.links += [value or "" for name, value in attrs if name == "href"]


def test_html_escapes_the_agents_text_and_loads_nothing() -> None:
    page = html_run("run", [Section("Output", "text", text=HOSTILE)])
    parsed = _Collect()
    parsed.feed(page)
    assert "script" not in parsed.tags
    assert "&lt;script&gt;" in page
    assert not any(link.startswith("http") for link in parsed.links)


def test_index_links_each_run_and_colours_status() -> None:
    rows = [(["0.0", "0", "success", "1.0", "hi", "ok"], "runs/run-0.0.html")]
    rows += [(["1.0", "0", "error", "1.0", "<b>", "boom"], None)]
    page = "".join(index_chunks("html", "exp", "facts", ["run", "iter", "status"], rows))
    parsed = _Collect()
    parsed.feed(page)
    assert parsed.links == ["runs/run-0.0.html"]
    assert '<td class="error">error</td>' in page and "&lt;b&gt;" in page
    markdown = "".join(index_chunks("md", "exp", "facts", ["run", "iter", "status"], rows))
    assert "| [0.0](runs/run-0.0.html) | 0 | success |" in markdown
    assert "| 1.0 | 0 | error |" in markdown
