"""Ctrl-C during a graded `run experiment`: exit 130, and the evaluation summary and the
reports are written for the runs that finished, marked as partial."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree as ET

SLOW_AGENT = """
import time

def run(text):
    time.sleep(0.02)
    return "Your balance is 42 USD"
"""

SETTING = """
name: long
runner:
  target: "agent:run"
base_inputs: ["a", "b"]
iterations: 200
evaluation:
  checks:
    - check: output_not_empty
"""


def test_interrupted_run_writes_partial_reports(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text(SLOW_AGENT)
    (tmp_path / "setting.yaml").write_text(SETTING)
    command = ["run", "experiment", "--no-collector", "--report", "junit,md,html"]
    process = subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", *command],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    traces = None
    while time.monotonic() < deadline and traces is None:
        assert process.poll() is None, process.communicate()
        found = list(tmp_path.glob("experiments/*/traces.jsonl"))
        if found and found[0].read_bytes().count(b"\n") >= 5:
            traces = found[0]
        time.sleep(0.05)
    assert traces is not None
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr and "note: Interrupted: partial figures" in stderr

    folder = traces.parent
    runs = traces.read_bytes().count(b"\n")
    evaluation = json.loads((folder / "evaluation" / "summary.json").read_text())
    assert evaluation["interrupted"] is True and evaluation["runs"] == runs < 400
    assert json.loads((folder / "summary.json").read_text())["evaluation"] == evaluation
    suite = ET.parse(folder / "evaluation" / "junit.xml").getroot().find("testsuite")
    assert suite is not None
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["interrupted"] == "true" and properties["runs"] == str(runs)
    assert "> ⚠ Interrupted: partial figures" in (folder / "evaluation" / "report.md").read_text()
    html = (folder / "evaluation" / "report.html").read_text()
    assert '<p class="note">Interrupted: partial figures' in html
    assert f"Report: {folder / 'evaluation' / 'junit.xml'}" in stdout
