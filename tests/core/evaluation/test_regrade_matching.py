"""A re-grade gives each run the own checks of the input it ran, found by metadata.id or
text, not by its old position; a run whose input is gone gets the global checks only."""

from __future__ import annotations

import json
from pathlib import Path

from eval_helpers import record
from eval_project import fluxloop

from fluxloop_core.evaluation.matching import NO_INPUT, InputMatcher

AGENT = """
def run(text):
    return "42 USD" if "balance" in text else "I cannot help with that"
"""

SETTING = """name: graded
runner:
  target: "agent:run"
base_inputs:
{inputs}
evaluation:
  checks:
    - check: output_not_empty
"""
BALANCE = '  - input: "What is my balance?"\n    checks: [{check: contains, keywords: ["USD"]}]\n'
JOKE = '  - input: "Tell me a joke"\n    checks: [{check: contains, keywords: ["cannot"]}]\n'


def _verdicts(folder: Path) -> dict[str, dict[str, object]]:
    lines = (folder / "evaluation" / "results.jsonl").read_text().splitlines()
    return {v["input"]: v for v in map(json.loads, lines)}


def test_checks_follow_the_input_not_its_position(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(AGENT)
    setting = tmp_path / "setting.yaml"
    setting.write_text(SETTING.format(inputs=BALANCE + JOKE))
    fluxloop("run", "experiment", "--no-collector", cwd=tmp_path, code=0)
    (folder,) = (tmp_path / "experiments").iterdir()

    # Reordered: by position, the balance run would get the joke's check and fail.
    setting.write_text(SETTING.format(inputs=JOKE + BALANCE))
    fluxloop("evaluate", "experiment", "--config", "setting.yaml", cwd=tmp_path, code=0)
    verdicts = _verdicts(folder)
    assert all(v["passed"] for v in verdicts.values())
    names = [c["name"] for c in verdicts["What is my balance?"]["checks"]]  # type: ignore[union-attr]
    assert names == ["output_not_empty", "input.contains"]
    assert "input_missing" not in verdicts["What is my balance?"]

    # The joke is gone: its run keeps the global checks only, and says so.
    setting.write_text(SETTING.format(inputs=BALANCE))
    result = fluxloop(
        "evaluate", "experiment", "--config", "setting.yaml", "--json", cwd=tmp_path, code=0
    )
    joke = _verdicts(folder)["Tell me a joke"]
    assert joke["input_missing"] is True
    assert [c["name"] for c in joke["checks"]] == ["output_not_empty"]  # type: ignore[union-attr]
    assert json.loads(result.stdout)["input_missing_runs"] == 1
    assert "graded with the global checks only" in result.stderr


def test_matching_by_id_then_text() -> None:
    matcher = InputMatcher([("hello", {"id": "a"}), ("hi", {}), ("hi", {}), ("renamed", {"id": 7})])
    # An id wins over the text; a number id matches its text form.
    assert matcher.index_of(record(text="old text", metadata={"id": "a"})) == 0
    assert matcher.index_of(record(text="whatever", metadata={"id": "7"})) == 3
    # Of two inputs with the run's text, the one at its old position, else the first.
    assert matcher.index_of(record(text="hi", input_index=2)) == 2
    assert matcher.index_of(record(text="hi", input_index=0)) == 1
    # An unknown id falls back to the text; nothing matching is no input.
    assert matcher.index_of(record(text="hello", metadata={"id": "zzz"})) == 0
    assert matcher.index_of(record(text="gone")) == NO_INPUT
