"""The evaluation section's schema: every check type parses, every mistake names its key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from fluxloop_core.config.loader import _to_config_error, parse_yaml
from fluxloop_core.evaluation.spec import (
    CHECK_MODELS,
    CallbackCalledCheck,
    ContainsCheck,
    EvaluationSpec,
    GateSpec,
    InputChecks,
    LLMJudgeEvaluator,
    MatchesRegexCheck,
    checks_of,
    override_gate,
    validate_evaluation,
)


def errors_of(data: Any) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as info:
        validate_evaluation(data)
    return [(e["loc"], e["msg"]) for e in info.value.errors()]


EVERY_CHECK = """
checks:
  - check: success
  - check: output_not_empty
  - check: equals
    value: "{input}"
  - check: contains
    keywords: ["balance", "USD"]
    case_sensitive: true
    mode: any
  - check: not_contains
    keywords: "Traceback"
  - check: starts_with
    prefix: "Your"
  - check: matches_regex
    pattern: "\\\\d+ USD"
    flags: [IGNORECASE, m]
  - check: is_json
    required_keys: [answer]
  - check: json_path
    path: "$.items[0].id"
    equals: 7
  - check: latency_under
    budget_ms: 2000
  - check: similarity
    expected: "Your balance is {metadata.balance}"
    min_score: 0.7
  - check: callback_called
    name: send_message_callback
    min_count: 2
    contains: "balance"
  - check: token_usage_under
    max_tokens: 4000
    count: input
  - check: cost_under
    max_usd: 0.01
  - check: tool_called
    name: search
    min_count: 2
  - check: tool_not_called
    name: delete_account
  - check: tool_sequence
    names: [search, answer]
    mode: exact
  - check: turn_count
    min: 2
  - check: python
    function: my_checks:polite
    on: callbacks
"""


def test_every_check_type_parses() -> None:
    spec = validate_evaluation(yaml.safe_load(EVERY_CHECK))
    assert [c.check for c in spec.checks] == list(CHECK_MODELS)
    regex = spec.checks[6]
    assert isinstance(regex, MatchesRegexCheck)
    assert regex.flags == ["IGNORECASE", "MULTILINE"]
    contains = spec.checks[3]
    assert isinstance(contains, ContainsCheck) and contains.mode == "any"
    assert spec.checks[4].keywords == ["Traceback"]  # type: ignore[union-attr]
    callback = spec.checks[11]
    assert isinstance(callback, CallbackCalledCheck)
    assert callback.label == "callback_called:send_message_callback"


def test_upstream_shape_and_gate() -> None:
    spec = validate_evaluation(
        yaml.safe_load(
            """
evaluators:
  - name: policy
    type: rule_based
    weight: 2
    rules:
      - check: matches_regex
        pattern: "\\\\d+ USD"
        target: output
  - name: tone
    type: llm_judge
    prompt_template: "Is {output} polite?"
limits: {max_llm_calls: 10}
gate: {min_pass_rate: 0.9, min_input_pass_rate: 0.6, fail_on_flaky: true}
"""
        )
    )
    assert spec.evaluators[0].weight == 2
    assert isinstance(spec.evaluators[1], LLMJudgeEvaluator)
    assert spec.gate.min_input_pass_rate == 0.6 and spec.gate.fail_on_flaky
    assert spec.limits.max_llm_calls == 10


def test_bare_on_key_read_as_true_by_yaml_still_selects() -> None:
    # YAML 1.1 reads the key `on` as the boolean true.
    data = yaml.safe_load("checks: [{check: contains, keywords: [hi], on: callbacks.send}]")
    assert True in data["checks"][0]
    assert validate_evaluation(data).checks[0].on == "callbacks.send"  # type: ignore[union-attr]


def test_shorthand_and_scalar_keywords() -> None:
    checks = checks_of(["output_not_empty", {"check": "contains", "keywords": [42, True]}])
    assert checks[0].check == "output_not_empty"
    assert checks[1].keywords == ["42", "true"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("check", "loc", "words"),
    [
        ({"check": "contain", "keywords": ["a"]}, ("checks", 0, "check"), "did you mean contains"),
        ({"check": "wholly_new"}, ("checks", 0, "check"), "known: success"),
        ({"keywords": ["a"]}, ("checks", 0, "check"), "Field required"),
        ({"check": "matches_regex", "pattern": "(["}, ("checks", 0, "pattern"), "not a valid"),
        (
            {"check": "matches_regex", "pattern": "a{input}[", "flags": "i"},
            ("checks", 0, "pattern"),
            "not a valid",
        ),
        (
            {"check": "matches_regex", "pattern": "a", "flags": ["Q"]},
            ("checks", 0, "flags"),
            "unknown regex flag",
        ),
        ({"check": "matches_regex"}, ("checks", 0, "pattern"), "Field required"),
        ({"check": "contains"}, ("checks", 0, "keywords"), "Field required"),
        ({"check": "contains", "keywords": []}, ("checks", 0, "keywords"), "at least 1"),
        (
            {"check": "contains", "kewords": ["a"]},
            ("checks", 0, "kewords"),
            "did you mean keywords",
        ),
        (
            {"check": "contains", "keywords": ["a"], "mode": "most"},
            ("checks", 0, "mode"),
            "'all' or 'any'",
        ),
        ({"check": "equals"}, ("checks", 0, "value"), "Field required"),
        ({"check": "starts_with"}, ("checks", 0, "prefix"), "Field required"),
        ({"check": "json_path", "path": "$.a[x"}, ("checks", 0, "path"), "not like"),
        ({"check": "latency_under", "budget_ms": 0}, ("checks", 0, "budget_ms"), "greater than 0"),
        ({"check": "latency_under"}, ("checks", 0, "budget_ms"), "Field required"),
        (
            {"check": "similarity", "expected": "a", "min_score": 2},
            ("checks", 0, "min_score"),
            "less than",
        ),
        ({"check": "callback_called"}, ("checks", 0, "name"), "Field required"),
        ({"check": "callback_called", "name": "a b"}, ("checks", 0, "name"), "parameter name"),
        (
            {"check": "python", "function": "nocolon"},
            ("checks", 0, "function"),
            "module.path:function",
        ),
        (
            {"check": "equals", "value": "a", "on": "ouptut"},
            ("checks", 0, "on"),
            "typo of 'output'",
        ),
        ({"check": "equals", "value": "a", "on": "not a name"}, ("checks", 0, "on"), "not output"),
        (
            {"check": "latency_under", "budget_ms": 5, "on": "error"},
            ("checks", 0, "on"),
            "latency_under takes",
        ),
        (["contains"], ("checks", 0), "a check is a mapping"),
    ],
)
def test_check_mistakes_name_their_key(check: Any, loc: tuple[Any, ...], words: str) -> None:
    errors = errors_of({"checks": [check]})
    assert errors[0][0] == loc
    assert words in errors[0][1]


def test_evaluator_mistakes_name_their_key() -> None:
    assert errors_of({"evaluators": [{"name": "x", "type": "judge"}]})[0][0] == (
        "evaluators",
        0,
        "type",
    )
    assert errors_of({"evaluators": [{"name": "x"}]})[0][0] == ("evaluators", 0, "type")
    rules = errors_of(
        {"evaluators": [{"name": "x", "type": "rule_based", "rules": [{"check": "x"}]}]}
    )
    assert rules[0][0] == ("evaluators", 0, "rules", 0, "check")
    assert errors_of({"gate": {"min_pass_rate": 1.5}})[0][0] == ("gate", "min_pass_rate")
    assert errors_of({"gate": {"min_pas_rate": 0.5}})[0][0] == ("gate", "min_pas_rate")


class _Config(BaseModel):
    # What the loader will see once evaluation is wired in: a strict model holding the spec.
    model_config = ConfigDict(extra="forbid")
    evaluation: EvaluationSpec
    base_inputs: list[dict[str, Any]] = []


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid")
    input: str
    checks: InputChecks = []


def test_errors_land_on_the_yaml_line_through_the_loader_mapping(tmp_path: Path) -> None:
    text = """evaluation:
  checks:
    - check: output_not_empty
    - check: matches_regex
      pattern: "(["
    - check: contians
      keywords: [a]
"""
    path = tmp_path / "setting.yaml"
    data, positions = parse_yaml(text, path)
    with pytest.raises(ValidationError) as info:
        _Config.model_validate(data)
    rendered = [_to_config_error(e, path, positions) for e in info.value.errors()]
    assert (rendered[0].line, rendered[0].key) == (5, "evaluation.checks[1].pattern")
    assert "Value error" not in rendered[0].render()
    assert (rendered[1].line, rendered[1].key) == (6, "evaluation.checks[2].check")
    assert "did you mean contains?" in rendered[1].render()


def test_per_input_checks_use_the_same_syntax() -> None:
    item = _Input.model_validate(
        {"input": "hi", "checks": [{"check": "contains", "keywords": "hi"}]}
    )
    assert isinstance(item.checks[0], ContainsCheck)
    with pytest.raises(ValidationError) as info:
        _Input.model_validate({"input": "hi", "checks": [{"check": "contain"}]})
    assert info.value.errors()[0]["loc"] == ("checks", 0, "check")


def test_json_schema_lists_every_check() -> None:
    schema = str(EvaluationSpec.model_json_schema())
    for name in CHECK_MODELS:
        assert name in schema


def test_command_line_bars_override_the_config() -> None:
    gate = GateSpec(min_pass_rate=0.9, fail_on_flaky=True)
    assert override_gate(gate) == gate
    both = override_gate(gate, min_pass_rate=0.5, min_input_pass_rate=0.25)
    assert (both.min_pass_rate, both.min_input_pass_rate, both.fail_on_flaky) == (0.5, 0.25, True)
    with pytest.raises(ValidationError) as info:
        override_gate(gate, min_input_pass_rate=1.5)
    assert info.value.errors()[0]["loc"] == ("min_input_pass_rate",)
