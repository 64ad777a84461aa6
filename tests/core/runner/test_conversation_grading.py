"""A conversation's checks (scope, turn_count) graded as it runs and re-graded from disk."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fluxloop_core.evaluation.files import iter_verdicts
from fluxloop_core.evaluation.regrade import regrade_experiment
from fluxloop_core.evaluation.spec import validate_evaluation
from fluxloop_core.evaluation.verdicts import compile_plan
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py


def contains(word: str, scope: str) -> dict[str, Any]:
    return {"check": "contains", "keywords": [word], "scope": scope}


AGENT = "def run(text, messages):\n    return f'{len(messages)}:{text}'\n"
SETTING = """
name: scoped
runner:
  target: agent:run
base_inputs: ["hi"]
conversation:
  enabled: true
  history_param: messages
personas:
  - name: brief
    follow_ups: [["ok"], ["bye"]]
evaluation:
  checks:
    - check: contains
      keywords: ["1:hi"]
      scope: any
    - check: turn_count
      min: 3
"""


def test_a_conversation_is_graded_as_it_runs_and_again_from_disk(project: Project) -> None:
    project.write("agent.py", AGENT)
    result = run_experiment(project.config(SETTING), RunOptions(use_collector=False))
    assert result.evaluation is not None and result.evaluation.passed_runs == 1

    plan = compile_plan(
        validate_evaluation(
            {
                "checks": [
                    contains("1:hi", "last"),
                    {"check": "turn_count", "max": 2},
                    contains("assistant: 3:ok\nuser: bye", "transcript"),
                ]
            }
        )
    )
    regrade_experiment(Path(result.experiment_dir), plan)
    (verdict,) = iter_verdicts(Path(result.experiment_dir))
    # The last reply is "5:bye"; "1:hi" was the first; three agent turns.
    assert [(o.name, o.passed) for o in verdict.outcomes] == [
        ("contains", False),
        ("turn_count", False),
        ("contains#2", True),
    ]
    everywhere = regrade_experiment(
        Path(result.experiment_dir),
        compile_plan(validate_evaluation({"checks": [contains(":", "every")]})),
    )
    assert everywhere.passed_runs == 1
