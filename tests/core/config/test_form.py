"""config/form.py: the editor's fields come from the model, and problems find their field."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.form import (
    FIELDS,
    check_form,
    form_changes,
    form_data,
    parse_value,
)
from fluxloop_core.config.loader import config_text_problems
from fluxloop_core.errors import ConfigError

TEXT = """# top comment
name: demo
runner:
  target: "examples.simple_agent:run"  # the agent
  timeout_seconds: 300
parallel_runs: 2
base_inputs:
  - "Hello"
  - input: "Bye"
replay_args:
  callable_providers:
    send: "builtin:collector.send"
"""


def test_fields_are_typed_from_the_model() -> None:
    assert FIELDS["parallel_runs"].kind == "int"
    assert FIELDS["runner.timeout_seconds"].kind == "float"
    assert FIELDS["replay_args.enabled"].kind == "bool"
    assert FIELDS["input_generation.mode"].choices == ("deterministic", "llm")
    assert FIELDS["input_generation.strategies"].kind == "list"
    assert FIELDS["collector.url"].optional and not FIELDS["name"].optional
    assert FIELDS["runner.timeout_seconds"].label == "timeout_seconds"


def test_form_data_shows_the_file_and_defaults(tmp_path: Path) -> None:
    data = form_data(TEXT, tmp_path / "setting.yaml")
    assert data.values["runner.timeout_seconds"] == "300"
    assert data.values["runner.max_retries"] == "0"
    assert data.values["input_generation.strategies"] == "rephrase, verbose, concise"
    assert data.values["collector.url"] == ""
    assert data.base_inputs == 2
    assert data.callable_providers == {"send": "builtin:collector.send"}


def test_form_data_of_broken_yaml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        form_data("name: [\n", tmp_path / "setting.yaml")
    assert info.value.line is not None


def test_parse_value_keeps_bad_numbers_as_text_for_the_model() -> None:
    assert parse_value(FIELDS["parallel_runs"], "4") == 4
    assert parse_value(FIELDS["parallel_runs"], "abc") == "abc"
    assert parse_value(FIELDS["runner.timeout_seconds"], "2.5") == 2.5
    assert parse_value(FIELDS["collector.url"], " ") is None
    assert parse_value(FIELDS["replay_args.enabled"], "true") is True
    assert parse_value(FIELDS["input_generation.strategies"], "a, b,") == ["a", "b"]


def test_check_form_puts_each_problem_on_its_field(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    initial = form_data(TEXT, path).values
    current = {
        **initial,
        "parallel_runs": "0",
        "runner.timeout_seconds": "abc",
        "replay_args.enabled": "true",
        "replay_args.recording_file": "",
    }
    result = check_form(TEXT, path, form_changes(initial, current))
    assert not result.ok
    assert "greater than or equal to 1" in result.by_field["parallel_runs"]
    assert "must be a number" in result.by_field["runner.timeout_seconds"]
    # A section-level problem goes to the changed field of that section.
    assert "recording_file is not set" in result.by_field["replay_args.enabled"]


def test_check_form_of_valid_changes_is_ok(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    initial = form_data(TEXT, path).values
    changes = form_changes(initial, {**initial, "iterations": "5", "collector.url": "http://x"})
    assert changes == {"iterations": 5, "collector.url": "http://x"}
    assert check_form(TEXT, path, changes).ok


def test_config_text_problems_have_lines(tmp_path: Path) -> None:
    text = TEXT.replace("parallel_runs: 2", "parallel_runs: 0")
    problems = config_text_problems(text, tmp_path / "setting.yaml")
    assert [(p.line, p.key) for p in problems] == [(6, "parallel_runs")]


def test_the_evaluation_section_is_in_the_form(tmp_path: Path) -> None:
    # The gate and the call budget are fields; the checks stay in the raw YAML.
    assert FIELDS["evaluation.gate.min_pass_rate"].kind == "float"
    assert FIELDS["evaluation.gate.fail_on_flaky"].kind == "bool"
    assert FIELDS["evaluation.limits.max_llm_calls"].optional
    path = tmp_path / "setting.yaml"
    assert form_data(TEXT, path).values["evaluation.gate.min_pass_rate"] == ""
    graded = TEXT + "evaluation:\n  checks: [output_not_empty]\n  gate: {min_pass_rate: 0.9}\n"
    assert form_data(graded, path).values["evaluation.gate.min_pass_rate"] == "0.9"
    changes = form_changes(
        {"evaluation.gate.min_pass_rate": "0.9"}, {"evaluation.gate.min_pass_rate": "1.5"}
    )
    assert (
        "less than or equal to 1"
        in check_form(graded, path, changes).by_field["evaluation.gate.min_pass_rate"]
    )
    assert check_form(TEXT, path, {"evaluation.gate.fail_on_flaky": True}).ok


def test_the_http_target_keys_are_in_the_form(tmp_path: Path) -> None:
    assert FIELDS["runner.http.method"].choices == ("POST", "PUT", "PATCH")
    assert FIELDS["runner.http.stream"].choices == ("none", "sse", "jsonl")
    assert FIELDS["runner.http.timeout_seconds"].kind == "float"
    path = tmp_path / "setting.yaml"
    web = TEXT.replace(
        '  target: "examples.simple_agent:run"  # the agent\n',
        '  http: {url: "http://127.0.0.1:8080/chat", response_path: reply.text}\n',
    )
    values = form_data(web, path).values
    assert values["runner.http.url"] == "http://127.0.0.1:8080/chat"
    assert values["runner.http.response_path"] == "reply.text"
    assert values["runner.http.method"] == "POST"  # absent: the model's default
    assert values["runner.target"] == ""
    changed = form_changes(values, {**values, "runner.http.stream": "jsonl"})
    assert changed == {"runner.http.stream": "jsonl"}
    assert check_form(web, path, changed).ok


def test_switching_to_an_http_target_in_the_form(tmp_path: Path) -> None:
    path = tmp_path / "setting.yaml"
    initial = form_data(TEXT, path).values
    both = form_changes(initial, {**initial, "runner.http.url": "http://127.0.0.1:8080/x"})
    # Beside the Python target, the url's field says to give one of the two.
    assert "not target and http" in check_form(TEXT, path, both).by_field["runner.http.url"]
    switched = form_changes(
        initial, {**initial, "runner.target": "", "runner.http.url": "http://127.0.0.1:8080/x"}
    )
    assert check_form(TEXT, path, switched).ok
    bad = form_changes(initial, {**initial, "runner.target": "", "runner.http.url": "ftp://x"})
    assert "http:// or https://" in check_form(TEXT, path, bad).by_field["runner.http.url"]
