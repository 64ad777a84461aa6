"""`run experiment --resume DIR` keeps the gate flags the experiment was started with
(--fail-under, --fail-under-per-input, --report) unless they are given again."""

from __future__ import annotations

import json
from pathlib import Path

from eval_project import fluxloop, write_project

RUN = ("run", "experiment", "--config", "setting.yaml", "--no-collector")


# The conversation flags are kept beside the gate's (see test_conversation_resume.py).
NO_CONVERSATION = {"multi_turn": False, "max_turns": None, "persona": None}


def test_resume_remembers_the_gate_flags(tmp_path: Path) -> None:
    write_project(tmp_path, bad_word="cannot")  # the second input's answer fails: 50 %
    fluxloop(*RUN, "--fail-under", "0.9", "--report", "junit", cwd=tmp_path, code=1)
    (folder,) = (tmp_path / "experiments").iterdir()
    stored = json.loads((folder / "summary.json").read_text())["gate_flags"]
    assert stored == {
        **{"fail_under": 0.9, "fail_under_per_input": None, "report": ["junit"]},
        **NO_CONVERSATION,
    }
    traces = folder / "traces.jsonl"
    traces.write_text("".join(traces.read_text().splitlines(keepends=True)[:2]))
    (folder / "evaluation" / "junit.xml").unlink()

    resume = ("run", "experiment", "--resume", str(folder), "--no-collector")
    result = fluxloop(*resume, cwd=tmp_path, code=1)
    assert "Gate failed:" in result.stderr and "90.0%" in result.stderr
    assert (folder / "evaluation" / "junit.xml").is_file()
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["evaluation"]["gate"]["min_pass_rate"] == 0.9

    # Given again, a flag wins over the stored one (and is stored in its place).
    fluxloop(*resume, "--fail-under", "0.5", "--fail-under-per-input", "0", cwd=tmp_path, code=0)
    stored = json.loads((folder / "summary.json").read_text())["gate_flags"]
    assert stored == {
        **{"fail_under": 0.5, "fail_under_per_input": 0.0, "report": ["junit"]},
        **NO_CONVERSATION,
    }
