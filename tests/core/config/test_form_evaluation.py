"""config/form.py and the `evaluation` section: the gate's keys are fields (inside a section
that is optional in the model), the lists of checks are summed up, edits validate."""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.config.edit import apply_changes
from fluxloop_core.config.form import (
    FIELDS,
    SECTIONS,
    check_form,
    checks_summary,
    form_changes,
    form_data,
)
from fluxloop_core.config.loader import config_text_problems, parse_yaml

PLAIN = """name: demo
runner:
  target: "examples.simple_agent:run"
base_inputs:
  - "Hello"
"""

GRADED = (
    PLAIN
    + """  - input: "Bye"
    checks:
      - check: contains
        keywords: ["bye"]
evaluation:
  checks:
    - check: output_not_empty
    - check: not_contains  # refusals
      keywords: ["I cannot"]
  evaluators:
    - name: tone
      type: llm_judge
      prompt_template: "polite? {output}"
  gate:
    min_pass_rate: 0.9
"""
)


def test_the_gate_and_limits_are_typed_fields_of_their_own_section() -> None:
    assert [s.title for s in SECTIONS][-1] == "evaluation"
    assert FIELDS["evaluation.gate.min_pass_rate"].kind == "float"
    assert FIELDS["evaluation.gate.min_pass_rate"].optional
    assert FIELDS["evaluation.gate.fail_on_flaky"].kind == "bool"
    assert FIELDS["evaluation.limits.max_llm_calls"].kind == "int"


def test_the_form_shows_the_gate_and_sums_up_the_checks(tmp_path: Path) -> None:
    data = form_data(GRADED, tmp_path / "setting.yaml")
    assert data.values["evaluation.gate.min_pass_rate"] == "0.9"
    assert data.values["evaluation.gate.min_input_pass_rate"] == ""
    assert data.values["evaluation.gate.fail_on_flaky"] == "false"
    assert data.checks == (
        "evaluation.checks: output_not_empty, not_contains; evaluators: tone (llm_judge); "
        "own checks on 1 input"
    )
    plain = form_data(PLAIN, tmp_path / "setting.yaml")
    assert plain.checks == "evaluation.checks: none; evaluators: none"
    assert plain.values["evaluation.gate.min_pass_rate"] == ""


def test_hostile_lists_are_summed_up_without_failing(tmp_path: Path) -> None:
    data, _ = parse_yaml(
        'evaluation:\n  checks: [3, {"no": "check"}]\n  evaluators: "x"\nbase_inputs: 5\n',
        tmp_path / "setting.yaml",
    )
    assert checks_summary(data) == "evaluation.checks: ?, ?; evaluators: none"
    assert checks_summary(None) == "evaluation.checks: none; evaluators: none"


def test_an_edit_to_the_gate_keeps_the_checks_and_is_validated(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    initial = form_data(GRADED, path).values
    changes = form_changes(
        initial,
        {
            **initial,
            "evaluation.gate.min_pass_rate": "0.95",
            "evaluation.gate.fail_on_flaky": "true",
        },
    )
    assert changes == {"evaluation.gate.min_pass_rate": 0.95, "evaluation.gate.fail_on_flaky": True}
    assert check_form(GRADED, path, changes).ok
    text = apply_changes(GRADED, changes, path)
    assert "min_pass_rate: 0.95" in text and "fail_on_flaky: true" in text
    assert "- check: not_contains  # refusals" in text and not config_text_problems(text, path)
    # A share above 1 is the model's error, shown beside its field.
    bad = check_form(GRADED, path, {"evaluation.gate.min_pass_rate": 1.5})
    assert "evaluation.gate.min_pass_rate" in bad.by_field
    # Emptied, the bar goes (its default applies).
    cleared = form_changes(initial, {**initial, "evaluation.gate.min_pass_rate": ""})
    assert "min_pass_rate" not in apply_changes(GRADED, cleared, path)


def test_a_gate_can_be_set_on_a_config_without_an_evaluation_section(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    changes = {"evaluation.gate.min_pass_rate": 0.8}
    assert check_form(PLAIN, path, changes).ok
    text = apply_changes(PLAIN, changes, path)
    assert form_data(text, path).values["evaluation.gate.min_pass_rate"] == "0.8"
