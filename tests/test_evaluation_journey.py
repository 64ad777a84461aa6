"""A real replay experiment (handler answering through callbacks, output None) graded on
disk, with a report: the runner's records are what the checks read."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
import yaml

from fluxloop_core.config.loader import load_config
from fluxloop_core.evaluation.regrade import regrade_experiment
from fluxloop_core.evaluation.reports import write_reports
from fluxloop_core.evaluation.spec import checks_of, validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.runner.experiment import RunOptions, run_experiment

HANDLER = """
class Handler:
    def handle(self, data, send_message_callback, send_error_callback):
        text = data["content"]
        if "refund" in text:
            send_error_callback("refunds are not supported")
            return None
        send_message_callback({"type": "text", "content": "Your balance is 42 USD"})
        return None
"""

SETTING = """
name: graded
runner:
  target: "handler:Handler.handle"
replay_args:
  enabled: true
  recording_file: "recordings/args.jsonl"
  callable_providers:
    send_message_callback: "builtin:collector.send"
    send_error_callback: "builtin:collector.error"
  override_param_path: "data.content"
base_inputs: ["What is my balance?", "I want a refund"]
iterations: 3
"""

EVALUATION = """
checks:
  - check: output_not_empty
  - check: matches_regex
    pattern: "\\\\d+ USD"
  - check: callback_called
    name: send_message_callback
gate:
  min_input_pass_rate: 0.5
"""


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "handler.py").write_text(HANDLER)
    line = {
        "_version": "1",
        "iteration": 0,
        "target": "handler:Handler.handle",
        "kwargs": {
            "data": {"content": "x"},
            "send_message_callback": "<builtin:collector.send>",
            "send_error_callback": "<builtin:collector.error>",
        },
        "timestamp": "2026-12-01T00:00:00",
    }
    (tmp_path / "recordings").mkdir()
    (tmp_path / "recordings" / "args.jsonl").write_text(json.dumps(line) + "\n")
    (tmp_path / "setting.yaml").write_text(SETTING)
    yield tmp_path
    sys.modules.pop("handler", None)


def test_replayed_experiment_graded_from_disk(project: Path) -> None:
    result = run_experiment(load_config(project / "setting.yaml"), RunOptions(use_collector=False))
    plan = compile_plan(
        validate_evaluation(yaml.safe_load(EVALUATION)),
        {0: checks_of([{"check": "contains", "keywords": ["balance"]}])},
    )
    summary = regrade_experiment(
        result.experiment_dir, plan, validate_evaluation(yaml.safe_load(EVALUATION)).gate
    )

    assert summary.runs == 6 and summary.run_errors == 0
    balance, refund = summary.inputs
    assert (balance.passed, balance.graded, balance.state) == (3, 3, "pass")
    assert (refund.passed, refund.state, refund.under_bar) == (0, "fail", True)
    assert not summary.gate.passed
    assert "#1 'I want a refund' 0/3" in summary.gate.message()
    reasons = {r for run in summary.failing_runs for r in run.reasons}
    assert reasons == {
        "output_not_empty: output is empty",
        "matches_regex: output does not match '\\\\d+ USD'",
        "callback_called:send_message_callback: called 0 times, expected at least 1",
    }
    [junit] = write_reports(result.experiment_dir, summary, "graded", ["junit"])
    cases = ET.parse(junit).getroot().findall("testsuite/testcase")
    assert [case.find("failure") is not None for case in cases] == [False, True]
