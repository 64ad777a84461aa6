"""Inputs files written by fluxloop-cli 0.2.x load (YAML and JSON forms)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.errors import InputsError
from fluxloop_core.inputs import load_inputs_file


@pytest.mark.parametrize("name", ["generated.yaml", "generated.json"])
def test_the_released_inputs_files_load(legacy_project: Path, name: str) -> None:
    loaded = load_inputs_file(legacy_project / "inputs" / name)
    assert len(loaded.inputs) == 6
    first = loaded.inputs[0]
    assert first.input == "Could you tell me how do i get started?"
    assert first.metadata["persona"] == "novice_user"
    assert first.metadata["strategy"] == "rephrase"
    assert first.metadata["base_index"] == 0
    assert {i.metadata["persona"] for i in loaded.inputs} == {"novice_user", "expert_user"}
    assert loaded.mode == "llm"
    assert loaded.strategies == ["rephrase", "verbose", "error_prone"]


def test_the_json_form_keeps_its_header(legacy_project: Path) -> None:
    loaded = load_inputs_file(legacy_project / "inputs" / "generated.json")
    assert loaded.generated_at == "2026-12-01T23:12:24.132011Z"
    assert loaded.model == "gpt-5-mini"


def test_labels_beside_input_join_metadata_which_wins_a_clash(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(
        "inputs:\n"
        "  - input: a\n    persona: p\n    strategy: s\n    metadata: {strategy: kept}\n"
        "  - input: b\n    metadata: null\n    persona: q\n"
    )
    first, second = load_inputs_file(path).inputs
    assert first.metadata == {"persona": "p", "strategy": "kept"}
    assert second.metadata == {"persona": "q"}


def test_an_unquoted_generated_at_timestamp_is_kept_as_text(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text("generated_at: 2026-12-01 23:12:24\nstats: {}\ninputs:\n  - input: a\n")
    assert load_inputs_file(path).generated_at == "2026-12-01T23:12:24"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # a broken item of a 0.2.x file is still named at its line
        ("stats: {total_generated: 1}\ninputs:\n  - input: [1]\n    persona: p\n", 3),
        ("stats: {}\ninputs:\n  - persona: p\n", 3),
        ("generation_config: {}\ninputs: 5\n", 2),
        # a file of ours with an unknown key is still refused (no 0.2.x marker)
        ("inputs:\n  - input: a\nmodle: x\n", 3),
    ],
)
def test_mistakes_are_still_reported_at_their_line(tmp_path: Path, text: str, line: int) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    with pytest.raises(InputsError) as caught:
        load_inputs_file(path)
    assert caught.value.line == line
