"""Wrong types are never coerced: every scalar key of setting.yaml refuses the values of
other types (bool for a number, a number for a bool, a list or mapping for text...)."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from fluxloop_core.config.loader import load_config
from fluxloop_core.config.models import ExperimentConfig
from fluxloop_core.errors import ConfigError

VALID: dict[str, Any] = {
    "name": "demo",
    "runner": {"target": "agent:run"},
    "replay_args": {"recording_file": "r.jsonl"},
}

# For each scalar type: values of other types that lax parsing would have coerced (or
# turned into text), and the words the error uses.
WRONG: dict[type, list[Any]] = {
    int: [True, False, "3", 3.0],
    float: [True, "2.5"],
    bool: [1, 0, "true", "yes"],
    str: [["a", "b"], {"a": 1}, 7],
}


def scalar_fields(model: type[BaseModel], prefix: str = "") -> list[tuple[str, type]]:
    """Every scalar key under ``model`` as (dotted key, its type), nested models walked."""
    found: list[tuple[str, type]] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        options = (
            [a for a in typing.get_args(annotation) if a is not type(None)]
            if isinstance(annotation, types.UnionType)
            or typing.get_origin(annotation) is typing.Union
            else [annotation]
        )
        kind = options[0] if len(options) == 1 else None
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            found += scalar_fields(kind, f"{prefix}{name}.")
        elif kind in WRONG:
            found.append((f"{prefix}{name}", kind))
    return found


FIELDS = scalar_fields(ExperimentConfig)
# A list of text in runner.python_path is fluxloop-cli 0.2.x's import paths, on purpose
# (tests/legacy/test_import_paths.py); its other wrong types are still refused.
CASES = [
    (key, value)
    for key, kind in FIELDS
    for value in WRONG[kind]
    if not (key == "runner.python_path" and value == ["a", "b"])
]


def test_every_scalar_kind_is_covered() -> None:
    keys = dict(FIELDS)
    assert keys["iterations"] is int and keys["runner.timeout_seconds"] is float
    assert keys["replay_args.enabled"] is bool and keys["name"] is str
    assert len(FIELDS) >= 25


def with_value(key: str, value: Any) -> dict[str, Any]:
    data = yaml.safe_load(yaml.safe_dump(VALID))
    node = data
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    if key in {"runner.module_path", "runner.function_name"}:
        del data["runner"]["target"]
        data["runner"].setdefault("module_path", "agent")
        data["runner"].setdefault("function_name", "run")
        node[last] = value
    if key.startswith("runner.http."):
        # An http target replaces target (both is a mistake of its own).
        del data["runner"]["target"]
        node.setdefault("url", "http://127.0.0.1:8080/chat")
    return data


@pytest.mark.parametrize(("key", "value"), CASES, ids=[f"{k}={v!r}" for k, v in CASES])
def test_a_wrong_type_is_refused_with_the_key(tmp_path: Path, key: str, value: Any) -> None:
    path = tmp_path / "setting.yaml"
    path.write_text(yaml.safe_dump(with_value(key, value)))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key is not None and caught.value.key.startswith(key)
    assert caught.value.line is not None


@pytest.mark.parametrize(
    "value", [["a", "b"], {"nested": 1}, [{"x": 1}]], ids=["list", "dict", "list_of_dicts"]
)
def test_environment_values_must_be_scalars(tmp_path: Path, value: Any) -> None:
    data = with_value("runner.environment_vars", {"OK": 1, "BAD": value})
    path = tmp_path / "setting.yaml"
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "runner.environment_vars.BAD"


def test_scalars_of_the_right_type_still_load(tmp_path: Path) -> None:
    data = with_value("runner.environment_vars", {"PORT": 5432, "DEBUG": True, "EMPTY": None})
    data["iterations"] = 3
    data["runner"]["timeout_seconds"] = 5  # an int is a fine number of seconds
    data["output_directory"] = "out"
    path = tmp_path / "setting.yaml"
    path.write_text(yaml.safe_dump(data))
    config = load_config(path).config
    assert config.runner.environment_vars == {"PORT": "5432", "DEBUG": "true", "EMPTY": ""}
    assert config.iterations == 3 and config.runner.timeout_seconds == 5.0
    assert config.output_directory == (tmp_path / "out").resolve()
