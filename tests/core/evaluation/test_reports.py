"""JUnit XML, Markdown and HTML reports: parse them, check the JUnit schema's rules, and
check each shows what it must."""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from eval_helpers import record

from fluxloop_core.evaluation.aggregate import Aggregator, EvaluationSummary
from fluxloop_core.evaluation.html_report import html_report
from fluxloop_core.evaluation.markup import utf8_safe, xml_text
from fluxloop_core.evaluation.reports import (
    REPORT_FORMATS,
    append_step_summary,
    junit_xml,
    markdown_report,
    parse_report_formats,
    write_reports,
)
from fluxloop_core.evaluation.spec import GateSpec, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan

HOSTILE = 'bell\x07 nul\x00 esc\x1b surrogate\udcff ffff\uffff <tag> & "q" ]]>'


def summary(gate: GateSpec | None = None) -> EvaluationSummary:
    """Five inputs: always passes, flaky, never passes, every run errored, hostile text."""
    plan = compile_plan(
        validate_evaluation({"checks": [{"check": "contains", "keywords": ["ok"]}]})
    )
    aggregator = Aggregator(gate or GateSpec(min_input_pass_rate=0.6))
    shapes = [(4, "always"), (2, "sometimes"), (0, "never"), (-1, "crashes"), (0, HOSTILE)]
    for index, (k, text) in enumerate(shapes):
        for iteration in range(4):
            if k < 0:
                run = record(
                    None,
                    status="error",
                    error=("ValueError", "boom\x01"),
                    input_index=index,
                    iteration=iteration,
                    text=text,
                )
            else:
                output = "ok" if iteration < k else f"no {HOSTILE}"
                run = record(
                    output, input_index=index, iteration=iteration, text=text, duration_ms=250
                )
            aggregator.add(plan.grade(run))
    return aggregator.summary()


# The attributes the JUnit XSD (Jenkins junit-10.xsd) allows on each element.
ALLOWED = {
    "testsuites": {"name", "time", "tests", "failures", "disabled", "errors"},
    "testsuite": {
        "name", "tests", "failures", "errors", "time", "disabled", "skipped", "timestamp",
        "hostname", "id", "package", "file", "log", "url", "version",
    },
    "properties": set(),
    "property": {"name", "value"},
    "testcase": {
        "name", "assertions", "time", "classname", "status", "class", "file", "line", "log",
        "group", "url",
    },
    "failure": {"message", "type"},
    "error": {"message", "type"},
    "skipped": {"message"},
}  # fmt: skip


def check_junit_schema(root: ET.Element) -> None:
    """The rules of the JUnit XSD (Jenkins junit-10 / Ant) a reader relies on."""
    decimal = re.compile(r"^\d+(\.\d+)?$")
    assert root.tag == "testsuites"
    for element in root.iter():
        assert element.tag in ALLOWED, element.tag
        assert set(element.attrib) <= ALLOWED[element.tag], element.tag
    suites = root.findall("testsuite")
    assert suites
    for suite in suites:
        assert suite.get("name")
        children = [child.tag for child in suite]
        assert children.count("properties") <= 1 and "properties" not in children[1:]
        cases = suite.findall("testcase")
        assert suite.get("tests") == str(len(cases))
        for kind, attribute in (
            ("failure", "failures"),
            ("error", "errors"),
            ("skipped", "skipped"),
        ):
            assert suite.get(attribute) == str(sum(1 for c in cases if c.find(kind) is not None))
        assert decimal.match(suite.get("time", ""))
        names = set()
        for case in cases:
            assert case.get("name") and case.get("classname") == suite.get("name")
            assert decimal.match(case.get("time", ""))
            names.add(case.get("name"))
            outcomes = [child for child in case if child.tag in {"failure", "error", "skipped"}]
            assert len(outcomes) <= 1
            for child in outcomes:
                if child.tag != "skipped":
                    assert child.get("message") and child.get("type")
            assert {child.tag for child in case} <= {"failure", "error", "skipped", "system-out"}
        assert len(names) == len(cases)
        for prop in suite.iter("property"):
            assert prop.get("name") and prop.get("value") is not None
        assert all(child.tag in {"properties", "testcase"} for child in suite)
    for total in ("tests", "failures", "errors"):
        assert root.get(total) == str(sum(int(s.get(total, "0")) for s in suites))


def test_junit_parses_and_follows_the_schema() -> None:
    text = junit_xml(summary(), "demo \x0b exp")
    root = ET.fromstring(text.encode())
    check_junit_schema(root)
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "demo  exp"
    cases = suite.findall("testcase")
    assert [c.get("name", "")[:3] for c in cases] == ["#0 ", "#1 ", "#2 ", "#3 ", "#4 "]
    assert cases[0].find("failure") is None and cases[1].find("failure") is not None
    failure = cases[2].find("failure")
    assert failure is not None
    assert failure.get("message") == "0/4 iterations passed: under the bar 60%"
    assert "run 2.0: contains: output lacks 'ok'" in (failure.text or "")
    error = cases[3].find("error")
    assert error is not None and error.get("message") == "every iteration errored (4)"
    assert cases[4].get("name", "").startswith("#4 bell nul esc surrogate ffff <tag> &")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "3", "1")
    assert suite.get("time") == "4.040"  # 16 runs of 250 ms + 4 errored runs of 10 ms


def test_junit_strips_every_character_xml_cannot_hold() -> None:
    every = "".join(chr(c) for c in range(0x20)) + "\ud800\udfff\ufffe\uffff ok \U0001f600"
    assert xml_text(every) == "\t\n\r ok \U0001f600"
    ET.fromstring(junit_xml(summary(), every).encode())


def test_junit_default_bar_and_ungraded_inputs() -> None:
    plan = compile_plan(
        validate_evaluation({"checks": [{"check": "equals", "value": "{metadata.a}"}]})
    )
    aggregator = Aggregator()
    aggregator.add(plan.grade(record("x")))
    root = ET.fromstring(junit_xml(aggregator.summary(), "e"))
    check_junit_schema(root)
    case = root.find("testsuite/testcase")
    assert case is not None and case.find("skipped") is not None


def test_markdown_report() -> None:
    text = markdown_report(summary(), "demo|exp")
    assert text.startswith("## FluxLoop evaluation: demo\\|exp\n")
    assert "**❌ gate failed** — pass rate **" in text
    # 0/4, 0/4, 0/4 and 2/4 are under 60 %.
    assert "- 4 of 5 inputs pass under 60% of their iterations:" in text
    assert "\x00" not in text and "\x07" not in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "/4 |" in line]
    # Worst first: the 0/4 inputs, then 2/4, then 4/4; the errored input is 0/4 too.
    assert [row.split(" | ")[2] for row in rows] == ["0/4", "0/4", "0/4", "2/4", "4/4"]
    assert "| contains | " in text
    assert "### Failing runs (" in text
    # Hostile text cannot break the table: pipes escaped, newlines folded.
    for line in text.splitlines():
        if line.startswith("| 4 |"):
            assert line.count(" | ") == 4


def test_html_report_is_self_contained() -> None:
    text = html_report(summary(), "demo <b>")
    assert text.startswith("<!DOCTYPE html>")
    assert "demo &lt;b&gt;" in text and "<b>" not in text.replace("<body>", "")
    assert "&lt;tag&gt;" in text and "<tag>" not in text
    assert text.count("<svg") == 2 and 'aria-label="latency histogram"' in text
    assert 'aria-label="pass rate per input"' in text
    assert "Gate failed" in text and "contains: output lacks" in text
    # No network assets: no scripts, no links, no URLs other than the SVG namespace.
    assert "<script" not in text and "<link" not in text
    assert set(re.findall(r"https?://[^\"' )]+", text)) == {"http://www.w3.org/2000/svg"}
    # The rendered page is well-formed enough for an XML parser once the doctype is off.
    ET.fromstring(text.removeprefix("<!DOCTYPE html>").replace('<meta charset="utf-8">', ""))


def test_write_reports_atomically(tmp_path: Path) -> None:
    written = write_reports(tmp_path, summary(), "demo", parse_report_formats(["junit,md", "html"]))
    assert [p.name for p in written] == ["junit.xml", "report.md", "report.html"]
    assert all(p.parent == tmp_path / "evaluation" for p in written)
    for path in written:  # the hostile input (lone surrogate, controls) is in every file
        assert "surrogate" in path.read_text(encoding="utf-8")
    assert not list((tmp_path / "evaluation").glob(".*.tmp"))
    ET.parse(tmp_path / "evaluation" / "junit.xml")


def test_step_summary_is_appended_only_when_set(tmp_path: Path) -> None:
    assert append_step_summary("x", {}) is None
    target = tmp_path / "step.md"
    target.write_text("before\n")
    assert append_step_summary("## hi \udcff", {"GITHUB_STEP_SUMMARY": str(target)}) == target
    assert target.read_text(encoding="utf-8").startswith("before\n## hi \ufffd")


def test_utf8_safe() -> None:
    assert utf8_safe("a\udcffb") == "a\ufffd\ufffd\ufffdb"
    assert utf8_safe("plain é") == "plain é"


def test_parse_report_formats() -> None:
    assert parse_report_formats(["md", "junit, md", "markdown", ""]) == ["md", "junit"]
    assert set(REPORT_FORMATS) == {"junit", "md", "html"}
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        parse_report_formats(["pdf"])
