"""setting.yaml loading: valid configs, path resolution, variables, and the error corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.config.env import LayeredEnv
from fluxloop_core.config.loader import config_problems, load_config
from fluxloop_core.errors import ConfigError

MINIMAL = 'name: demo\nrunner:\n  target: "examples.simple_agent:run"\n'


def write(tmp_path: Path, text: str | bytes, name: str = "setting.yaml") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def env(**values: str) -> LayeredEnv:
    return LayeredEnv(variables=dict(values), sources={k: "process" for k in values})


def test_minimal_config_gets_defaults_and_paths_resolved_from_its_folder(tmp_path: Path) -> None:
    loaded = load_config(write(tmp_path, MINIMAL), env=env())
    config = loaded.config
    assert config.runner.resolved_target == "examples.simple_agent:run"
    assert config.runner.working_directory == tmp_path.resolve()
    assert config.output_directory == (tmp_path / "experiments").resolve()
    assert config.iterations == 1 and config.parallel_runs == 1
    assert config.input_generation.mode == "deterministic"
    assert loaded.project_dir == tmp_path.absolute()


def test_seed_mode2_config_loads(tmp_path: Path) -> None:
    text = """
name: pluto_duck_simulation
runner:
  target: "examples.pluto_duck.message_handler:MessageHandler.handle_message"
  working_directory: "."
replay_args:
  enabled: true
  recording_file: "recordings/pluto_args.jsonl"
  callable_providers:
    send_message_callback: "builtin:collector.send"
    send_error_callback: "builtin:collector.error"
  override_param_path: "data.content"
inputs_file: "inputs/generated.yaml"
iterations: 50
parallel_runs: 4
"""
    config = load_config(write(tmp_path, text), env=env()).config
    assert config.replay_args.recording_file == tmp_path.resolve() / "recordings/pluto_args.jsonl"
    assert config.inputs_file == tmp_path.resolve() / "inputs/generated.yaml"
    assert config.replay_args.callable_providers["send_error_callback"] == "builtin:collector.error"
    assert config.parallel_runs == 4


def test_absolute_output_directory_is_kept(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, MINIMAL + "output_directory: /tmp/test_output\n"), env=env()
    ).config
    assert config.output_directory == Path("/tmp/test_output")


def test_legacy_module_path_and_function_name_become_a_target(tmp_path: Path) -> None:
    text = "name: x\nrunner:\n  module_path: agents.main\n  function_name: handle\n"
    runner = load_config(write(tmp_path, text), env=env()).config.runner
    assert runner.target == "agents.main:handle"
    assert runner.module_path is None and runner.function_name is None


def test_target_and_legacy_together_is_an_error(tmp_path: Path) -> None:
    text = MINIMAL + "  module_path: a\n  function_name: b\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    assert "not both" in info.value.render()
    assert info.value.key == "runner"


def test_variables_expand_from_the_environment_with_defaults(tmp_path: Path) -> None:
    text = MINIMAL + (
        "  environment_vars:\n    DB: ${DATABASE_URL}\n    MODE: ${MODE:-test}\n    PORT: 5432\n"
    )
    runner = load_config(
        write(tmp_path, text), env=env(DATABASE_URL="postgresql://x")
    ).config.runner
    assert runner.environment_vars == {"DB": "postgresql://x", "MODE": "test", "PORT": "5432"}


def test_unset_variable_names_the_variable_key_and_line(tmp_path: Path) -> None:
    text = MINIMAL + "description: ${NOPE}\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    error = info.value
    assert error.line == 4 and error.key == "description"
    assert "${NOPE} is not set" in error.render()


def test_unknown_key_suggests_the_closest_known_key(tmp_path: Path) -> None:
    text = "name: x\nruner:\n  target: a:b\nrunner:\n  target: a:b\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    rendered = info.value.render()
    assert info.value.line == 2 and info.value.column == 1
    assert "runer: unknown key. Did you mean runner?" in rendered


def test_unknown_nested_key_suggests_within_its_section(tmp_path: Path) -> None:
    text = MINIMAL + "  timeout_secnds: 3\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    assert info.value.key == "runner.timeout_secnds"
    assert "Did you mean timeout_seconds?" in info.value.render()


def test_wrong_type_names_key_line_and_value(tmp_path: Path) -> None:
    text = MINIMAL + "iterations: many\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    assert info.value.line == 4 and info.value.key == "iterations"
    assert "'many'" in info.value.render()


def test_every_problem_is_listed_in_line_order(tmp_path: Path) -> None:
    text = "name: x\nrunner:\n  target: a:b\n  timeout_seconds: abc\niterations: 0\nbogus: 1\n"
    problems = config_problems(write(tmp_path, text), env=env())
    assert [p.key for p in problems] == ["runner.timeout_seconds", "iterations", "bogus"]
    assert [p.line for p in problems] == [4, 5, 6]


def test_first_problem_mentions_how_many_more_there_are(tmp_path: Path) -> None:
    text = "name: x\nrunner:\n  target: a:b\niterations: 0\nparallel_runs: 0\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    assert "1 more problem" in info.value.render()


def test_malformed_yaml_points_at_the_spot(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "name: x\nrunner: [unclosed\n"), env=env())
    assert info.value.line is not None and info.value.line >= 2
    assert "malformed YAML" in info.value.render()


def test_duplicate_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, MINIMAL + "name: again\n"), env=env())
    assert info.value.line == 4 and "duplicate key" in info.value.render()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "is empty"),
        ("# only a comment\n", "is empty"),
        ("- a\n- b\n", "must be a mapping"),
        (b"name: caf\xe9\n", "not UTF-8"),
        ("name: x\n", "runner: is required"),
        ("name: x\nrunner:\n  target: nocolon\n", 'is not "module.path:function"'),
        ("name: x\nrunner: {}\n", "a target is required"),
    ],
)
def test_error_corpus(tmp_path: Path, content: str | bytes, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, content), env=env())
    assert expected in info.value.render()
    assert str(tmp_path) in info.value.render()


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_config(tmp_path / "nope.yaml", env=env())
    with pytest.raises(ConfigError, match="is a directory"):
        load_config(tmp_path, env=env())


def test_unknown_strategy_lists_the_valid_ones(tmp_path: Path) -> None:
    text = MINIMAL + "input_generation:\n  strategies: [rephrase, shout]\n"
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, text), env=env())
    rendered = info.value.render()
    assert "shout" in rendered and "edge_case" in rendered


def test_replay_enabled_needs_a_recording_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="recording_file is not set"):
        load_config(write(tmp_path, MINIMAL + "replay_args:\n  enabled: true\n"), env=env())


def test_collector_url_falls_back_to_the_environment(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, MINIMAL), env=env()).config
    assert config.collector_url({"FLUXLOOP_COLLECTOR_URL": "http://127.0.0.1:9"}) == (
        "http://127.0.0.1:9"
    )
    assert config.collector_url({}) is None
    off = load_config(
        write(tmp_path, MINIMAL + "collector:\n  enabled: false\n  url: http://x\n"), env=env()
    ).config
    assert off.collector_url({"FLUXLOOP_COLLECTOR_URL": "http://y"}) is None


def test_base_inputs_accept_bare_strings(tmp_path: Path) -> None:
    text = MINIMAL + 'base_inputs:\n  - "Hello"\n  - input: "Hi"\n    metadata: {lang: en}\n'
    inputs = load_config(write(tmp_path, text), env=env()).config.base_inputs
    assert [(i.input, i.metadata) for i in inputs] == [("Hello", {}), ("Hi", {"lang": "en"})]


@pytest.mark.parametrize(
    ("typo", "suggestion"),
    [
        ("iteratons", "iterations"),
        ("itrations", "iterations"),
        ("nmae", "name"),
        ("paralel_runs", "parallel_runs"),
        ("outputs_directory", "output_directory"),
    ],
)
def test_close_typos_get_a_suggestion(tmp_path: Path, typo: str, suggestion: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, MINIMAL + f"{typo}: 1\n"), env=env())
    assert f"Did you mean {suggestion}?" in info.value.render()


@pytest.mark.parametrize("unknown", ["dialogue", "dialogues", "turns", "scoring"])
def test_unrelated_unknown_keys_get_the_known_keys_not_a_guess(
    tmp_path: Path, unknown: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, MINIMAL + f"{unknown}: 1\n"), env=env())
    rendered = info.value.render()
    assert "Did you mean" not in rendered and "Known keys here: name," in rendered


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("name: [1, 2]\n", "name: must be text (got [1, 2])"),
        ("iterations: many\n", "iterations: must be a whole number (got 'many')"),
        ("iterations: 1.5\n", "iterations: must be a whole number"),
        ("parallel_runs: 0\n", "parallel_runs: must be greater than or equal to 1"),
        ("base_inputs: 3\n", "base_inputs: must be a list"),
        ("collector: 3\n", "collector: must be a mapping of keys"),
        ("collector:\n  enabled: maybe\n", "collector.enabled: must be true or false"),
        ("input_generation:\n  mode: fast\n", "input_generation.mode: must be 'deterministic'"),
        ('name: ""\n', "name: must not be empty"),
    ],
)
def test_type_problems_are_in_our_words(tmp_path: Path, line: str, expected: str) -> None:
    text = MINIMAL.replace("name: demo\n", "") + line if line.startswith("name") else MINIMAL + line
    problems = config_problems(write(tmp_path, text), env=env())
    rendered = " | ".join(p.render() for p in problems)
    assert expected in rendered
    assert "should" not in rendered and "Input" not in rendered and "valid" not in rendered
