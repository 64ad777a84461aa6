"""`config validate` reports what a conversation lacks, at the key's line."""

from __future__ import annotations

import json
from pathlib import Path

from eval_project import fluxloop

SETTING = """name: talks
runner:
  target: "agent:run"
replay_args:
  enabled: true
  recording_file: calls.jsonl
  override_param_path: text
base_inputs: ["a"]
conversation:
  enabled: true
  history_param: messages
personas:
  - name: brief
    follow_ups: [["ok"]]
"""


def write(tmp_path: Path, setting: str) -> Path:
    (tmp_path / "agent.py").write_text("def run(text, messages):\n    return text\n")
    call = {"_version": "1", "iteration": 0, "target": "agent:run", "kwargs": {"text": "a"}}
    (tmp_path / "calls.jsonl").write_text(
        json.dumps({**call, "timestamp": "2026-01-01T00:00:00"}) + "\n"
    )
    config = tmp_path / "setting.yaml"
    config.write_text(setting)
    return config


def test_validate_names_a_replayed_conversation_without_history_param(tmp_path: Path) -> None:
    config = write(tmp_path, SETTING.replace("  history_param: messages\n", "  seed: 1\n"))

    result = fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=2)

    out = result.stdout + result.stderr
    assert f"{config}:9:" in out, out
    assert "replayed conversations need conversation.history_param" in out


def test_validate_passes_a_replayed_conversation_with_history_param(tmp_path: Path) -> None:
    config = write(tmp_path, SETTING)

    fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=0)


def test_validate_names_a_plain_function_that_would_keep_no_history(tmp_path: Path) -> None:
    setting = SETTING.replace("replay_args:\n  enabled: true\n", "replay_args:\n  enabled: false\n")
    config = write(tmp_path, setting.replace("  history_param: messages\n", "  seed: 1\n"))

    result = fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=2)

    out = result.stdout + result.stderr
    assert f"{config}:9:" in out, out
    assert "conversation.history_param is not set and runner.target is not a Class.method" in out
