"""`generate inputs --personas`: each base and strategy once per persona, tagged
metadata.persona, offline; the tags choose each conversation's persona."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from fluxloop_core.config.loader import LoadedConfig, load_config
from fluxloop_core.errors import UsageError
from fluxloop_core.generation.request import chosen_personas, request_from_config
from fluxloop_core.generation.service import generate_inputs

Runner = Any  # the `fluxloop` fixture of conftest.py

SETTING = """
name: tagged
runner:
  target: agent:run
base_inputs:
  - "Where is my order from last week?"
  - input: "Can I change the delivery address?"
    metadata: {channel: web}
input_generation:
  strategies: [rephrase, concise]
conversation:
  history_param: messages
personas:
  - name: impatient
    follow_ups: [["And?"]]
  - name: expert
    follow_ups: [["Source?"]]
  - name: novice
"""


@pytest.fixture()
def loaded(tmp_path: Path) -> LoadedConfig:
    (tmp_path / "setting.yaml").write_text(SETTING)
    (tmp_path / "agent.py").write_text("def run(text, messages):\n    return text\n")
    return load_config(tmp_path / "setting.yaml")


def test_each_base_and_strategy_once_per_persona(loaded: LoadedConfig) -> None:
    request = request_from_config(loaded, personas=chosen_personas(loaded, "impatient,expert"))
    made = generate_inputs(loaded, request).inputs_file.inputs

    combos = [
        (i.metadata["base_index"], i.metadata["strategy"], i.metadata["persona"]) for i in made
    ]
    assert len(combos) == 8 == len(set(combos))  # 2 bases x 2 strategies x 2 personas
    assert Counter(i.metadata["persona"] for i in made) == {"impatient": 4, "expert": 4}
    assert made[1].metadata["channel"] == "web"  # the base's own metadata is kept
    assert len({i.input for i in made}) == 8  # each persona gets its own variations


def test_limit_covers_personas_evenly_and_seed_reproduces(loaded: LoadedConfig) -> None:
    personas = chosen_personas(loaded, "*")
    first = generate_inputs(loaded, request_from_config(loaded, limit=6, personas=personas))
    again = generate_inputs(loaded, request_from_config(loaded, limit=6, personas=personas))

    made = first.inputs_file.inputs
    assert [i.metadata["persona"] for i in made] == ["impatient"] * 2 + ["expert"] * 2 + [
        "novice"
    ] * 2
    assert {i.metadata["strategy"] for i in made} == {"rephrase"}  # the first round
    assert [i.input for i in made] == [i.input for i in again.inputs_file.inputs]


def test_without_personas_nothing_is_tagged(loaded: LoadedConfig) -> None:
    made = generate_inputs(loaded, request_from_config(loaded)).inputs_file.inputs
    assert len(made) == 4
    assert all("persona" not in i.metadata for i in made)


@pytest.mark.parametrize(
    ("given", "says"),
    [("nobody", "'nobody'"), ("expert,ghost", "'ghost'"), (",", "no persona was chosen")],
)
def test_unknown_personas_are_usage_errors(loaded: LoadedConfig, given: str, says: str) -> None:
    with pytest.raises(UsageError, match=says) as raised:
        chosen_personas(loaded, given)
    assert raised.value.key == "personas"
    assert "impatient, expert, novice" in (raised.value.hint or "")


def test_cli_writes_tagged_inputs_that_choose_the_conversations_personas(
    loaded: LoadedConfig, tmp_path: Path, fluxloop: Runner
) -> None:
    done = fluxloop(
        "generate", "inputs", "--personas", "expert,novice", "--limit", "4", cwd=tmp_path
    )
    assert "personas expert, novice" in done.stdout
    written = yaml.safe_load((tmp_path / "inputs" / "generated.yaml").read_text())
    tags = [item["metadata"]["persona"] for item in written["inputs"]]
    assert tags == ["expert", "expert", "novice", "novice"]

    setting = tmp_path / "setting.yaml"
    setting.write_text(setting.read_text() + 'inputs_file: "inputs/generated.yaml"\n')
    fluxloop("run", "experiment", "--multi-turn", "--no-collector", cwd=tmp_path)
    (folder,) = (tmp_path / "experiments").iterdir()
    traces = [json.loads(line) for line in (folder / "traces.jsonl").read_text().splitlines()]
    assert sorted(t["persona"] for t in traces) == sorted(tags)
    assert {t["turns"][2]["content"] for t in traces if t["persona"] == "expert"} == {"Source?"}


def test_cli_refuses_personas_the_config_lacks(
    loaded: LoadedConfig, tmp_path: Path, fluxloop: Runner
) -> None:
    unknown = fluxloop("generate", "inputs", "--personas", "ghost", cwd=tmp_path, code=2)
    (tmp_path / "setting.yaml").write_text(SETTING.split("personas:")[0])
    none = fluxloop("generate", "inputs", "--personas", "--json", cwd=tmp_path, code=2)

    assert "'ghost'" in unknown.stderr
    assert "defines none" in none.stderr
    assert not (tmp_path / "inputs").exists()
