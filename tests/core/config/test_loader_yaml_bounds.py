"""Hostile YAML: alias bombs and deep nesting are refused at their line by the one reader
(setting.yaml, inputs files, the config editors), before anything grows."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.edit import apply_changes, render_changes
from fluxloop_core.config.form import form_data
from fluxloop_core.config.loader import (
    MAX_ALIAS_EXPANSION,
    MAX_YAML_DEPTH,
    config_problems,
    config_text_problems,
    load_config,
    parse_yaml,
)
from fluxloop_core.errors import ConfigError, InputsError
from fluxloop_core.inputs import load_inputs_file

MINIMAL = 'name: demo\nrunner:\n  target: "examples.simple_agent:run"\n'


def laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs" shape: each level repeats the previous one ``width`` times."""
    lines = [f"l0: &a0 [{', '.join(['lol'] * width)}]"]
    for level in range(1, levels):
        lines.append(f"l{level}: &a{level} [{', '.join([f'*a{level - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def nested(depth: int, flow: bool) -> str:
    if flow:
        return "deep: " + "[" * depth + "]" * depth + "\n"
    return (
        "deep:\n"
        + "".join("  " * level + "k:\n" for level in range(1, depth))
        + "  " * depth
        + "k: 1\n"
    )


@pytest.mark.parametrize("levels", [5, 9])
def test_alias_bomb_in_setting_yaml_is_refused_at_the_alias_line(
    tmp_path: Path, levels: int
) -> None:
    bomb = laughs(levels)
    assert len(bomb.encode()) < 1100
    path = tmp_path / "setting.yaml"
    path.write_text(MINIMAL + bomb)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    error = caught.value
    assert error.file == str(path) and error.line is not None
    assert path.read_text().splitlines()[error.line - 1].startswith("l")
    assert "alias" in error.render() and f"{MAX_ALIAS_EXPANSION:,}" in error.render()


def test_small_alias_use_still_loads(tmp_path: Path) -> None:
    text = MINIMAL + "base_inputs:\n  - &hello {input: Hello}\n  - *hello\n"
    assert len(load_config(_write(tmp_path, text)).config.base_inputs) == 2
    data, _ = parse_yaml(laughs(3, width=3), tmp_path / "x.yaml")  # 39 values: fine
    assert len(data["l2"]) == 3


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "setting.yaml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH + 1, 1000, 10_000])
@pytest.mark.parametrize("flow", [True, False])
def test_deep_nesting_is_refused_with_the_limit(tmp_path: Path, depth: int, flow: bool) -> None:
    path = _write(tmp_path, MINIMAL + nested(depth, flow))
    problems = config_problems(path)
    assert len(problems) == 1
    # libyaml itself stops flow nesting past 1,000 levels, with its own words.
    assert "nest" in problems[0].message
    if depth < 1000:
        assert f"too deeply nested (limit {MAX_YAML_DEPTH} levels)" in problems[0].render()
    assert problems[0].line is not None


def test_nesting_at_the_limit_is_read(tmp_path: Path) -> None:
    data, _ = parse_yaml(nested(MAX_YAML_DEPTH - 1, flow=True), tmp_path / "x.yaml")
    assert isinstance(data["deep"], list)


def test_alias_bomb_in_an_inputs_file_is_an_inputs_error(tmp_path: Path) -> None:
    path = tmp_path / "generated.yaml"
    path.write_text("inputs:\n  - input: hi\n" + laughs(9))
    with pytest.raises(InputsError) as caught:
        load_inputs_file(path)
    assert caught.value.line is not None and "alias" in caught.value.message


@pytest.mark.parametrize(
    "editor",
    [
        lambda path, text: apply_changes(text, {"iterations": 2}, path),
        lambda path, text: form_data(text, path),
        lambda path, text: render_changes(path, {"iterations": 2}),
    ],
    ids=["apply_changes", "form_data", "render_changes"],
)
def test_the_config_editors_refuse_the_bomb_too(tmp_path: Path, editor: object) -> None:
    text = MINIMAL + laughs(9)
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        editor(path, text)  # type: ignore[operator]
    assert caught.value.line is not None and "alias" in caught.value.message
    problems = config_text_problems(text, path)
    assert problems and "alias" in problems[0].message


def test_editing_a_file_with_a_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, MINIMAL + "iterations: [3\n")
    with pytest.raises(ConfigError) as caught:
        render_changes(path, {"iterations": 2})
    assert caught.value.line is not None and "malformed YAML" in caught.value.message
