"""`set_config_value`: one key from the command line, typed by the schema, all or nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.edit import set_config_value
from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import ConfigError


@pytest.mark.parametrize(
    ("key", "text", "expected"),
    [
        ("runner.timeout_seconds", "60", 60),
        ("iterations", "5", 5),
        ("input_generation.llm.model", "4", "4"),  # a string key keeps the string
        ("input_generation.llm.enabled", "true", True),
        ("input_generation.strategies", "[rephrase, concise]", ["rephrase", "concise"]),
        ("name", "x: y", "x: y"),  # a mapping does not fit a string key
        ("name", "[draft", "[draft"),  # not YAML at all
    ],
)
def test_values_are_typed_by_the_key(project: Path, key: str, text: str, expected: object) -> None:
    config = project / "setting.yaml"
    change = set_config_value(config, key, text)
    assert change.new == expected
    loaded = load_config(config)
    value: object = loaded.config
    for part in key.split("."):
        value = getattr(value, part)
    assert value == expected


def test_comments_and_order_survive(project: Path) -> None:
    config = project / "setting.yaml"
    before = config.read_text().splitlines()
    set_config_value(config, "runner.timeout_seconds", "60")
    after = config.read_text().splitlines()
    assert len(after) == len(before)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [("  timeout_seconds: 300", "  timeout_seconds: 60")]


def test_old_value_and_unset(project: Path) -> None:
    config = project / "setting.yaml"
    change = set_config_value(config, "parallel_runs", None)
    assert (change.old, change.new) == (2, None)
    assert "parallel_runs" not in config.read_text()
    assert set_config_value(config, "parallel_runs", "4").old is None


@pytest.mark.parametrize(
    ("key", "text", "words"),
    [
        ("runer.timeout_seconds", "60", ["runer", "Did you mean runner?"]),
        ("iterations", "abc", ["iterations", "whole number"]),
        ("iterations", "0", ["iterations"]),
        ("runner.timeout_seconds.x", "1", ["runner.timeout_seconds"]),
        ("base_inputs.9.input", "hi", ["no item 9"]),
    ],
)
def test_a_bad_key_or_value_writes_nothing(
    project: Path, key: str, text: str, words: list[str]
) -> None:
    config = project / "setting.yaml"
    before = config.read_bytes()
    with pytest.raises(ConfigError) as caught:
        set_config_value(config, key, text)
    rendered = caught.value.render()
    assert all(word in rendered for word in words), rendered
    assert config.read_bytes() == before
    assert not [p for p in project.iterdir() if p.name.startswith(".setting.yaml.")]
