"""A recording with lines nested 10,000 and ~900 deep: every command reports them as
broken lines (`file:LINE: too deeply nested (limit N)`) and none crashes."""

from __future__ import annotations

import json
from pathlib import Path

from fluxloop.serialization import MAX_DEPTH
from fluxloop_runner import Runner

TARGET = "examples.simple_agent:handle"
HANDLER = "\n\ndef handle(data, **kwargs):\n    return data['content']\n"


def call_line(extra: str = "0") -> str:
    return json.dumps(
        {
            "_version": "1",
            "iteration": 0,
            "target": TARGET,
            "kwargs": {"data": {"content": "hi", "extra": 0}},
            "timestamp": "2026-01-01T00:00:00+00:00",
        }
    ).replace('"extra": 0', f'"extra": {extra}')


def replay_project(project: Path) -> Path:
    with (project / "examples" / "simple_agent.py").open("a") as handle:
        handle.write(HANDLER)
    config = project / "setting.yaml"
    text = config.read_text().replace('"examples.simple_agent:run"', f'"{TARGET}"')
    config.write_text(
        text.replace("replay_args:\n  enabled: false", "replay_args:\n  enabled: true")
    )
    lines = [call_line(), call_line("[" * 10_000 + "]" * 10_000), call_line("[" * 900 + "]" * 900)]
    recording = project / "recordings" / "args.jsonl"
    recording.write_text("\n".join(lines) + "\n")
    return recording


def test_every_command_reports_the_deep_lines(project: Path, fluxloop: Runner) -> None:
    recording = replay_project(project)
    expected = [f"{recording}:{n}: too deeply nested (limit {MAX_DEPTH})" for n in (2, 3)]
    validated = fluxloop("config", "validate", cwd=project, code=2)
    assert all(text in validated.stdout for text in expected), validated.stdout
    checked = fluxloop("status", "check", cwd=project, code=2)
    assert "fail  recording" in checked.stdout and expected[0] in checked.stdout
    generated = fluxloop("generate", "inputs", "--from-recording", str(recording), cwd=project)
    assert "skipped 2 broken recording lines" in generated.stderr
    ran = fluxloop("run", "experiment", "--no-collector", cwd=project)
    assert "9 of 9 runs: 9 ok" in ran.stdout
