"""compare.md / compare.html / compare-junit.xml: hostile input text stays text, the XML
parses, the HTML is one self-contained file."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from compare_helpers import write_experiment

from fluxloop_core.compare.analysis import compare_experiments
from fluxloop_core.compare.reports import COMPARE_REPORTS, write_compare_reports

HOSTILE = "<script>alert(1)</script> | `x` \x1b[31m\x00 \ufffe end"


def test_hostile_text_in_every_report(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "a", {HOSTILE: [True] * 10, "calm": [True]})
    cand = write_experiment(tmp_path / "b", {HOSTILE: [False] * 10, "new one": [True]})
    comparison = compare_experiments(base, cand)
    written = write_compare_reports(comparison, ["md", "html", "junit"])
    assert written == [cand / COMPARE_REPORTS[name] for name in ("md", "html", "junit")]
    root = ET.parse(cand / "compare-junit.xml").getroot()
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("3", "1", "2")
    cases = list(suite.iter("testcase"))
    failure = cases[0].find("failure")
    assert failure is not None and "10/10 → 0/10" in (failure.get("message") or "")
    assert cases[0].get("name", "").startswith("<script>alert(1)</script> | `x` [31m")
    html = (cand / "compare.html").read_text()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "\x00" not in html and "\x1b" not in html
    markdown = (cand / "compare.md").read_text()
    row = next(line for line in markdown.splitlines() if "alert" in line)
    assert "\\|" in row and "`" not in row and "\x1b" not in row
    assert row.endswith("regressed ⚠ |")
    # Regressions first, then new and gone inputs at the end.
    states = [line.rsplit("|", 2)[-2].strip() for line in markdown.splitlines()[-3:]]
    assert states == ["regressed ⚠", "new", "gone"]


def test_no_format_writes_nothing(tmp_path: Path) -> None:
    base = write_experiment(tmp_path / "a", {"q": [True]})
    cand = write_experiment(tmp_path / "b", {"q": [True]})
    assert write_compare_reports(compare_experiments(base, cand), []) == []
    assert not any(path.name.startswith("compare") for path in cand.iterdir())
