"""Deterministic generation: real variations, reproducible, exactly --limit, from a recording."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from fluxloop_core.config.loader import load_config
from fluxloop_core.errors import GenerationError, RecordingError, UsageError
from fluxloop_core.generation.request import request_from_config
from fluxloop_core.generation.service import generate_inputs
from fluxloop_core.generation.strategies import STRATEGY_FUNCTIONS

BASE = "Hello, can you help me find my order from last week?"


def fluxloop(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("name", sorted(STRATEGY_FUNCTIONS))
def test_every_strategy_transforms_with_variety(name: str) -> None:
    outputs = {STRATEGY_FUNCTIONS[name](BASE, random.Random(seed)) for seed in range(30)}
    assert BASE not in outputs
    assert len(outputs) >= 3


def test_strategies_do_what_they_say() -> None:
    rng = random.Random(1)
    assert len(STRATEGY_FUNCTIONS["verbose"](BASE, rng)) > len(BASE) + 20
    assert len(STRATEGY_FUNCTIONS["concise"](BASE, rng)) < len(BASE)
    edge = {STRATEGY_FUNCTIONS["edge_case"](BASE, random.Random(s)) for s in range(60)}
    assert any(not e.strip() for e in edge)  # empty
    assert any(len(e) > 1000 for e in edge)  # very long
    assert any("Ignore all previous instructions" in e or "DROP TABLE" in e for e in edge)
    assert any(not e.isascii() for e in edge)  # unicode


def test_limit_is_the_total_and_seed_reproduces(project: Path) -> None:
    loaded = load_config(project / "setting.yaml")
    first = generate_inputs(loaded, request_from_config(loaded, limit=50, seed=7))
    again = generate_inputs(loaded, request_from_config(loaded, limit=50, seed=7))
    other = generate_inputs(loaded, request_from_config(loaded, limit=50, seed=8))
    texts = [i.input for i in first.inputs_file.inputs]
    assert len(texts) == 50 and len(set(texts)) == 50
    assert texts == [i.input for i in again.inputs_file.inputs]
    assert texts != [i.input for i in other.inputs_file.inputs]
    strategies = {i.metadata["strategy"] for i in first.inputs_file.inputs}
    assert strategies == {"rephrase", "verbose", "concise"}


def test_unknown_strategy_lists_valid_ones(project: Path) -> None:
    loaded = load_config(project / "setting.yaml")
    with pytest.raises(UsageError) as info:
        request_from_config(loaded, strategies=["rephrase", "shout"])
    assert "shout" in info.value.render() and "error_prone" in info.value.render()


def test_seed_commands_verbatim(project: Path) -> None:
    result = fluxloop(
        "generate", "inputs", "--config", "setting.yaml", "--limit", "20", cwd=project
    )
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((project / "inputs" / "generated.yaml").read_text())
    assert len(data["inputs"]) == 20
    assert data["mode"] == "deterministic" and data["sources"] == ["base_inputs"]
    assert all("base_index" in item["metadata"] for item in data["inputs"])
    result = fluxloop(
        "generate", "inputs", "--config", "setting.yaml",
        "--strategy", "rephrase", "--strategy", "verbose",
        cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((project / "inputs" / "generated.yaml").read_text())
    assert {i["metadata"]["strategy"] for i in data["inputs"]} == {"rephrase", "verbose"}
    bad = fluxloop("generate", "inputs", "--config", "setting.yaml", "--strategy", "x", cwd=project)
    assert bad.returncode == 2 and "rephrase, verbose, concise" in bad.stderr


MOCK = (
    '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
    '"kwargs": {"data": {"content": "test"}}, "timestamp": "2025-09-30T00:00:00"}\n'
)


def test_seed_mock_recording_verbatim(project: Path, tmp_path: Path) -> None:
    recording = tmp_path / "test_recording.jsonl"
    recording.write_text(MOCK)
    result = fluxloop(
        "generate", "inputs", "--config", "setting.yaml",
        "--from-recording", str(recording), "--limit", "3",
        cwd=project,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = yaml.safe_load((project / "inputs" / "generated.yaml").read_text())
    assert len(data["inputs"]) == 3
    assert 'add `inputs_file: "inputs/generated.yaml"`' in result.stderr
    for item in data["inputs"]:
        assert item["metadata"]["source"] == {
            "recording_file": str(recording),
            "line_number": 1,
            "iteration": 0,
        }


def test_broken_recording_lines_are_skipped_or_strict(project: Path, tmp_path: Path) -> None:
    recording = tmp_path / "r.jsonl"
    recording.write_text(MOCK + "{not json\n" + MOCK.replace('"iteration": 0', '"iteration": 1'))
    loaded = load_config(project / "setting.yaml")
    request = request_from_config(loaded, from_recording=recording, limit=4)
    result = generate_inputs(loaded, request)
    assert result.skipped_lines == 1
    lines = {i.metadata["source"]["line_number"] for i in result.inputs_file.inputs}
    assert lines == {1, 3}
    with pytest.raises(RecordingError) as info:
        generate_inputs(loaded, request_from_config(loaded, from_recording=recording, strict=True))
    assert info.value.line == 2
    cli = fluxloop(
        "generate", "inputs", "--config", "setting.yaml", "--from-recording", str(recording),
        "--json", cwd=project,
    )  # fmt: skip
    assert cli.returncode == 0 and json.loads(cli.stdout)["skipped_lines"] == 1


def test_recording_without_the_target_or_path(project: Path, tmp_path: Path) -> None:
    loaded = load_config(project / "setting.yaml")
    other = tmp_path / "other.jsonl"
    other.write_text(MOCK.replace("examples.simple_agent:run", "pkg.mod:other"))
    with pytest.raises(GenerationError, match=r"pkg\.mod:other"):
        generate_inputs(loaded, request_from_config(loaded, from_recording=other))
    wrong = tmp_path / "wrong.jsonl"
    wrong.write_text(MOCK.replace('"content"', '"body"'))
    with pytest.raises(GenerationError) as info:
        generate_inputs(loaded, request_from_config(loaded, from_recording=wrong))
    assert "body" in info.value.render() and info.value.line == 1


@pytest.mark.parametrize("name", sorted(STRATEGY_FUNCTIONS))
@pytest.mark.parametrize("text", ["", "   ", "?!", "a", "🙂"])
def test_strategies_accept_degenerate_text(name: str, text: str) -> None:
    assert isinstance(STRATEGY_FUNCTIONS[name](text, random.Random(0)), str)


def test_without_override_path_one_text_is_used_and_several_are_refused(tmp_path: Path) -> None:
    (tmp_path / "setting.yaml").write_text(
        'name: t\nrunner:\n  target: "examples.simple_agent:run"\n'
    )
    loaded = load_config(tmp_path / "setting.yaml")
    single = tmp_path / "one.jsonl"
    single.write_text(MOCK)
    made = generate_inputs(loaded, request_from_config(loaded, from_recording=single, limit=2))
    assert len(made.inputs_file.inputs) == 2
    several = tmp_path / "two.jsonl"
    several.write_text(MOCK.replace('{"content": "test"}', '{"content": "a", "user": "b"}'))
    with pytest.raises(GenerationError) as info:
        generate_inputs(loaded, request_from_config(loaded, from_recording=several))
    assert "data.content, data.user" in info.value.render()


def test_no_hint_when_the_config_already_runs_the_generated_file(project: Path) -> None:
    from fluxloop_core.config.edit import update_config_values

    update_config_values(project / "setting.yaml", {"inputs_file": "inputs/generated.yaml"})
    result = fluxloop("generate", "inputs", "--config", "setting.yaml", "--limit", "2", cwd=project)
    assert result.returncode == 0, result.stderr
    assert "hint:" not in result.stderr


CONTENT_BASES = [
    BASE,
    "Where is my order?",
    "Cancel my plan",
    "Regarding this invoice, why was I charged twice?",
    "Hello",
    "Hi there",
    "I need help",
    "Can you reset the password for account 4411?",
]


@pytest.mark.parametrize("base", CONTENT_BASES)
def test_concise_keeps_every_content_word(base: str) -> None:
    from fluxloop_core.generation.strategies import content_words, keeps_content

    for seed in range(40):
        short = STRATEGY_FUNCTIONS["concise"](base, random.Random(seed))
        assert keeps_content(base, short), (base, short)
        assert short.strip(), base
    assert content_words("Regarding this invoice") == ["Regarding", "invoice"]


@pytest.mark.parametrize("base", CONTENT_BASES)
def test_generated_variations_keep_the_base_content(tmp_path: Path, base: str) -> None:
    from fluxloop_core.generation.strategies import keeps_content

    (tmp_path / "setting.yaml").write_text(
        f'name: g\nrunner:\n  target: "a:b"\nbase_inputs: [{json.dumps(base)}]\n'
        "input_generation:\n  strategies: [concise, verbose]\n"
    )
    loaded = load_config(tmp_path / "setting.yaml")
    for seed in range(5):
        made = generate_inputs(loaded, request_from_config(loaded, limit=12, seed=seed))
        for item in made.inputs_file.inputs:
            assert keeps_content(base, item.input), (base, item.metadata["strategy"], item.input)
