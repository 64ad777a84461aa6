"""`run experiment --dry-run`: every check a run makes, then a plan; nothing called or written."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from replay_helpers import write_recording

Project = Any  # the `project` fixture of conftest.py

# The agent leaves a file when it is called: a dry run must never leave it.
AGENT = """\
from pathlib import Path

def handle(data, user, send):
    Path("called").write_text("yes")
    return data["content"]
"""


def _replay_project(project: Path) -> None:
    (project / "agent.py").write_text(AGENT)
    write_recording(
        project / "recordings" / "args.jsonl",
        "agent:handle",
        [{"data": {"content": f"c{i}"}, "user": "u", "send": "<callable:send>"} for i in range(2)],
    )
    (project / "setting.yaml").write_text(
        textwrap.dedent("""\
            name: replayed
            runner: {target: "agent:handle", working_directory: "."}
            replay_args:
              enabled: true
              recording_file: recordings/args.jsonl
              override_param_path: data.content
              callable_providers: {send: "builtin:collector.send"}
            base_inputs: [{input: a}, {input: b}, {input: c}]
            iterations: 4
            evaluation:
              checks: [{check: output_not_empty}]
              gate: {min_pass_rate: 0.9}
            """)
    )


def _cli(project: Project, code: int, *args: str) -> Any:
    result = project.cli(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def test_the_plan_is_printed_and_nothing_happens(project: Project) -> None:
    _replay_project(project.dir)
    out = _cli(project, 0, "run", "experiment", "--dry-run", "--no-collector").stdout
    assert "12 runs = 3 inputs × 4 iterations" in out
    assert "2 recorded calls in" in out and "input at data.content" in out
    assert "send -> builtin:collector.send" in out
    assert "input #0 <- line 1" in out and "input #1 <- line 2" in out
    assert "input #2 <- line 1" in out
    assert "checks      output_not_empty" in out and "min_pass_rate 0.9" in out
    assert not (project.dir / "called").exists()
    assert project.experiments() == []


def test_json_describes_the_same_plan(project: Project) -> None:
    _replay_project(project.dir)
    plan = json.loads(
        _cli(project, 0, "run", "experiment", "--dry-run", "--json", "--iterations", "2").stdout
    )
    assert (plan["planned_runs"], plan["iterations"], plan["inputs"]) == (6, 2, 3)
    assert plan["replay"]["recorded_calls"] == 2
    assert plan["checks"] == ["output_not_empty"]


def test_what_would_stop_the_run_stops_the_dry_run(project: Project) -> None:
    _replay_project(project.dir)
    config = project.dir / "setting.yaml"
    config.write_text(config.read_text().replace('{send: "builtin:collector.send"}', "{}"))
    err = _cli(project, 2, "run", "experiment", "--dry-run").stderr
    assert "send" in err
    config.write_text(config.read_text().replace("agent:handle", "agent:missing"))
    err = _cli(project, 2, "run", "experiment", "--dry-run").stderr
    assert "missing" in err
    assert project.experiments() == []
