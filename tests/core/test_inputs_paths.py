"""Dot paths (replay override, generation bases) and the inputs file."""

from __future__ import annotations

from pathlib import Path

import pytest

from fluxloop_core.errors import InputsError
from fluxloop_core.files import write_atomic
from fluxloop_core.inputs import (
    GeneratedInput,
    InputsFile,
    load_inputs_file,
    write_inputs_file,
)
from fluxloop_core.paths import PathNotFound, get_path, set_path, split_path


def test_get_and_set_through_mappings_and_list_indices() -> None:
    value = {"data": {"messages": [{"text": "a"}, {"text": "b"}]}}
    assert get_path(value, "data.messages.1.text") == "b"
    set_path(value, "data.messages.0.text", "new")
    assert value["data"]["messages"][0]["text"] == "new"
    set_path(value, "data.extra", 1)
    assert value["data"]["extra"] == 1


def test_missing_path_names_where_it_stopped_and_what_exists() -> None:
    value = {"data": {"content": "x", "user": "u"}}
    with pytest.raises(PathNotFound) as info:
        get_path(value, "data.body")
    assert info.value.reached == "data"
    assert info.value.available == ["content", "user"]
    assert "content, user" in str(info.value)
    with pytest.raises(PathNotFound):
        set_path({"items": [1]}, "items.3", 0)
    with pytest.raises(PathNotFound):
        set_path({"a": 1}, "b.c", 0)


def test_malformed_path_is_rejected() -> None:
    for bad in ("", "a..b", ".a"):
        with pytest.raises(ValueError):
            split_path(bad)


def test_inputs_file_round_trip_keeps_unicode_and_source(tmp_path: Path) -> None:
    path = tmp_path / "inputs" / "generated.yaml"
    original = InputsFile(
        mode="deterministic",
        strategies=["rephrase"],
        inputs=[
            GeneratedInput(input="héllo 👋", metadata={"strategy": "rephrase", "base_index": 0}),
            GeneratedInput(
                input="x",
                metadata={
                    "source": {"recording_file": "r.jsonl", "line_number": 3, "iteration": 2}
                },
            ),
        ],
    )
    write_inputs_file(path, original)
    assert "héllo 👋" in path.read_text(encoding="utf-8")
    loaded = load_inputs_file(path)
    assert loaded == original
    assert loaded.inputs[0].source is None
    source = loaded.inputs[1].source
    assert source is not None and (source.line_number, source.iteration) == (3, 2)


def test_hand_written_inputs_file_needs_only_inputs(tmp_path: Path) -> None:
    path = tmp_path / "in.yaml"
    path.write_text('inputs:\n  - input: "Hello"\n  - input: "Bye"\n    metadata: {k: 1}\n')
    assert [i.input for i in load_inputs_file(path).inputs] == ["Hello", "Bye"]


@pytest.mark.parametrize(
    ("text", "line", "needle"),
    [
        ("inputs:\n  - input: ok\n  - metadata: {}\n", 3, "input"),
        ("inputs:\n  - input: [1, 2]\n", 2, "input: must be text"),
        ("inputs:\n  - input: a\n    metadata: 3\n", 3, "metadata: must be a mapping of keys"),
        ("inputs: [\n", 2, "malformed YAML"),
        ("- input: a\n", 1, "inputs:"),
        # wrong types are refused, not coerced
        ("seed: true\ninputs:\n  - input: a\n", 1, "must be a whole number"),
        ("seed: '3'\ninputs:\n  - input: a\n", 1, "must be a whole number"),
        ("strategies: [1]\ninputs:\n  - input: a\n", 1, "must be text"),
        ("inputs:\n  - input: 12\n", 2, "must be text"),
    ],
)
def test_bad_inputs_file_names_the_line(tmp_path: Path, text: str, line: int, needle: str) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(text)
    with pytest.raises(InputsError) as info:
        load_inputs_file(path)
    assert info.value.line == line
    assert needle in info.value.render()
    assert "should" not in info.value.render()  # our words, not pydantic's


def test_missing_inputs_file(tmp_path: Path) -> None:
    with pytest.raises(InputsError, match="not found"):
        load_inputs_file(tmp_path / "nope.yaml")


def test_atomic_write_leaves_old_file_when_writing_fails(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")

    with pytest.raises(TypeError):
        write_atomic(path, 123)  # type: ignore[arg-type]
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_atomic_write_keeps_permissions_and_applies_new_mode(tmp_path: Path) -> None:
    shared = tmp_path / "setting.yaml"
    shared.write_text("a")
    shared.chmod(0o664)
    write_atomic(shared, "b")
    assert (shared.stat().st_mode & 0o777, shared.read_text()) == (0o664, "b")
    secret = tmp_path / ".env"
    write_atomic(secret, "K=v", new_mode=0o600)
    assert secret.stat().st_mode & 0o777 == 0o600
