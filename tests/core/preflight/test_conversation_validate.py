"""`config validate` reports what conversations cannot do yet, at the key's line."""

from __future__ import annotations

from pathlib import Path

from eval_project import fluxloop

SETTING = """name: talks
runner:
  target: "agent:run"
  executor: ray
base_inputs: ["a"]
conversation:
  enabled: true
  history_param: messages
personas:
  - name: brief
    follow_ups: [["ok"]]
"""


def test_validate_names_an_unsupported_executor_at_its_line(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text("def run(text, messages):\n    return text\n")
    config = tmp_path / "setting.yaml"
    config.write_text(SETTING)

    result = fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=2)

    out = result.stdout + result.stderr
    assert f"{config}:4:" in out, out
    assert "conversations with executor ray are not supported yet" in out


def test_validate_passes_once_conversations_run_here(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text("def run(text, messages):\n    return text\n")
    config = tmp_path / "setting.yaml"
    config.write_text(SETTING.replace("  executor: ray\n", ""))

    fluxloop("config", "validate", "--config", str(config), cwd=tmp_path, code=0)
