"""`config validate` refuses every config that `run experiment` refuses before its first run.

Each case is one kind of mistake; the test asks both: validate must list a problem at the
key the run names, and the run must refuse (a UserError, exit 2) before writing anything.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import UserError
from fluxloop_core.preflight import validate_project
from fluxloop_core.runner.experiment import RunOptions, run_experiment

AGENT = "def run(text):\n    return text\n"
RECORDED = {
    "_version": "1",
    "iteration": 0,
    "target": "agent:run",
    "kwargs": {"data": {"content": "hi"}, "cb": "<builtin:collector.send>"},
    "timestamp": "2025-09-30T00:00:00",
}
REPLAY = """
replay_args:
  enabled: true
  recording_file: recordings/args.jsonl
  override_param_path: data.content
  callable_providers:
    cb: {provider}
"""


@dataclass
class Case:
    """A project's files (setting.yaml among them) and the key both refusals name."""

    key: str
    setting: str
    files: dict[str, str] = field(default_factory=dict)
    recorded_target: str = "agent:run"


def setting(*lines: str, target: str = "agent:run", inputs: str = '["a"]') -> str:
    body = "\n".join(lines)
    return f"name: t\nrunner:\n  target: {target}\nbase_inputs: {inputs}\n{body}\n"


def replay(provider: str = '"builtin:collector.send"', path: str = "data.content") -> str:
    return REPLAY.format(provider=provider).replace("data.content", path)


CASES = {
    "constructor needs arguments": Case(
        "runner.target",
        setting(target="agent:Agent.answer"),
        {
            "agent.py": "class Agent:\n    def __init__(self, client):\n        pass\n\n"
            "    def answer(self, text):\n        return text\n"
        },
    ),
    "custom provider cannot be imported": Case(
        "replay_args.callable_providers.cb", setting(replay('"no_such_hooks_xyz:send"'))
    ),
    "custom provider is a class": Case(
        "replay_args.callable_providers.cb",
        setting(replay('"hooks:Send"')),
        {"hooks.py": "class Send:\n    pass\n"},
    ),
    "custom provider raises at import": Case(
        "replay_args.callable_providers.cb",
        setting(replay('"hooks:send"')),
        {"hooks.py": "raise RuntimeError('no')\ndef send(x):\n    return x\n"},
    ),
    "output folder cannot be created": Case(
        "output_directory",
        setting("output_directory: blocker/experiments"),
        {"blocker": "a file in the way\n"},
    ),
    "output folder is a file": Case(
        "output_directory", setting("output_directory: blocker"), {"blocker": "a file\n"}
    ),
    "name too long for a folder": Case("name", setting().replace("name: t", "name: " + "n" * 240)),
    "name with a slash": Case("name", setting().replace("name: t", "name: a/b")),
    "name dot-dot": Case("name", setting().replace("name: t", 'name: ".."')),
    "parallel_runs above the ceiling": Case("parallel_runs", setting("parallel_runs: 5000")),
    "FLUXLOOP value the SDK refuses": Case(
        "runner.environment_vars.FLUXLOOP_SAMPLE_RATE",
        setting().replace(
            "  target: agent:run",
            '  target: agent:run\n  environment_vars:\n    FLUXLOOP_SAMPLE_RATE: "lots"',
        ),
    ),
    "replay without inputs": Case("base_inputs", setting(replay(), inputs="[]")),
    "no inputs": Case("base_inputs", setting(inputs="[]")),
    "empty inputs file": Case(
        "inputs", setting("inputs_file: inputs.yaml"), {"inputs.yaml": "inputs: []\n"}
    ),
    "no recorded call of the target": Case(
        "replay_args.recording_file", setting(replay()), recorded_target="other:run"
    ),
    "missing provider": Case(
        "replay_args.callable_providers",
        setting(replay()).replace(
            '    cb: "builtin:collector.send"', "    other: builtin:collector.send"
        ),
    ),
    "unknown builtin provider": Case(
        "replay_args.callable_providers.cb", setting(replay('"builtin:collector.shout"'))
    ),
    "malformed provider": Case("replay_args.callable_providers.cb", setting(replay('"nonsense"'))),
    "override path does not fit": Case(
        "replay_args.override_param_path", setting(replay(path="data.nowhere.deep"))
    ),
    "recording file missing": Case(
        "replay_args.recording_file", setting(replay()), {"recordings/args.jsonl": ""}
    ),
    "working_directory missing": Case(
        "runner.working_directory",
        setting().replace(
            "  target: agent:run", "  target: agent:run\n  working_directory: nowhere"
        ),
    ),
    "target module missing": Case("runner.target", setting(target="no_such_agent_xyz:run")),
    "target attribute missing": Case("runner.target", setting(target="agent:nope")),
    "target raises at import": Case(
        "runner.target", setting(), {"agent.py": "raise SystemExit(3)\n"}
    ),
    "python_path missing": Case(
        "runner.python_path",
        setting().replace(
            "  target: agent:run", "  target: agent:run\n  python_path: /no/such/python"
        ),
    ),
}


def write_case(root: Path, case: Case) -> Path:
    files = {"agent.py": AGENT, **case.files}
    line = json.dumps({**RECORDED, "target": case.recorded_target}) + "\n"
    files.setdefault("recordings/args.jsonl", line)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if text:
            path.write_text(text)
    (root / "setting.yaml").write_text(case.setting)
    return root / "setting.yaml"


@pytest.mark.parametrize("name", list(CASES))
def test_validate_refuses_what_the_run_refuses(tmp_path: Path, name: str) -> None:
    case = CASES[name]
    config = write_case(tmp_path, case)

    problems = validate_project(config)
    with pytest.raises(UserError) as refused:
        run_experiment(load_config(config), RunOptions(use_collector=False))

    assert case.key in [p.key for p in problems], [p.render() for p in problems]
    assert refused.value.key == case.key, refused.value.render()
    assert refused.value.file is not None  # it says where to fix it
    assert not list(tmp_path.glob("**/t_*")), "nothing is written before the first run"


def test_a_good_project_validates_and_runs(tmp_path: Path) -> None:
    config = write_case(tmp_path, Case("", setting(replay())))

    assert validate_project(config) == []
    result = run_experiment(load_config(config), RunOptions(use_collector=False))
    assert result.summary.results.total_runs == 1
