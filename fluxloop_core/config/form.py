"""setting.yaml as a form: which keys an editor shows, their text, and their problems.

Headless (no UI imports) so any front end can use it; the TUI's config editor is one.
Values are shown as written in the file (``${VAR}`` unexpanded, paths relative), or as the
model's default when the key is absent. Typed text becomes a YAML value that is validated
by the real model (:func:`check_form`), so the messages are the loader's own.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel
from pydantic_core import PydanticUndefined

from fluxloop_core.config.edit import apply_changes
from fluxloop_core.config.loader import config_text_problems, parse_yaml
from fluxloop_core.config.models import ExperimentConfig
from fluxloop_core.counts import counted
from fluxloop_core.errors import ConfigError
from fluxloop_core.paths import PathNotFound, get_path

Kind = Literal["text", "int", "float", "bool", "choice", "list"]


@dataclass(frozen=True)
class FormField:
    """One editable key: its dotted path, how its text is read, and the model's words."""

    key: str
    kind: Kind
    description: str
    optional: bool
    default: Any
    choices: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The key without its section, e.g. ``timeout_seconds`` or ``llm.model``."""
        return self.key.partition(".")[2] or self.key


@dataclass(frozen=True)
class FormSection:
    """A titled group of fields."""

    title: str
    fields: tuple[FormField, ...]


SECTION_KEYS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "runner",
        (
            "runner.target",
            "runner.command",
            "runner.protocol",
            "runner.working_directory",
            "iterations",
            "parallel_runs",
            "runner.timeout_seconds",
            "runner.max_retries",
            "runner.retry_delay",
            "runner.python_path",
        ),
    ),
    (
        # Headers and the body template are mappings: edited in the raw YAML.
        "http target",
        (
            "runner.http.url",
            "runner.http.method",
            "runner.http.response_path",
            "runner.http.stream",
            "runner.http.timeout_seconds",
        ),
    ),
    (
        "experiment",
        ("name", "description", "output_directory"),
    ),
    (
        "replay_args",
        ("replay_args.enabled", "replay_args.recording_file", "replay_args.override_param_path"),
    ),
    ("inputs", ("inputs_file",)),
    (
        "generation",
        (
            "input_generation.mode",
            "input_generation.strategies",
            "input_generation.limit",
            "input_generation.seed",
            "input_generation.llm.enabled",
            "input_generation.llm.provider",
            "input_generation.llm.model",
            "input_generation.llm.base_url",
        ),
    ),
    ("collector", ("collector.enabled", "collector.url", "collector.timeout_seconds")),
    (
        "evaluation",
        (
            "evaluation.gate.min_pass_rate",
            "evaluation.gate.min_input_pass_rate",
            "evaluation.gate.fail_on_flaky",
            "evaluation.limits.max_llm_calls",
        ),
    ),
)
"""The keys the editor shows, by section (environment variables and metadata stay raw; the
lists of checks and evaluators are summed up by :func:`checks_summary`)."""


def _kind(annotation: Any) -> tuple[Kind, bool, tuple[str, ...]]:
    args = typing.get_args(annotation)
    optional = False
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        optional = type(None) in args
        inner = [a for a in args if a is not type(None)]
        annotation = inner[0] if len(inner) == 1 else str
    if typing.get_origin(annotation) is Literal:
        return "choice", optional, tuple(str(a) for a in typing.get_args(annotation))
    if typing.get_origin(annotation) is list:
        return "list", optional, ()
    if annotation is bool:
        return "bool", optional, ()
    if annotation is int:
        return "int", optional, ()
    if annotation is float:
        return "float", optional, ()
    return "text", optional, ()


def form_field(key: str) -> FormField:
    """The :class:`FormField` of a dotted key, read from the config model."""
    model: type[BaseModel] = ExperimentConfig
    parts = key.split(".")
    for part in parts[:-1]:
        annotation = model.model_fields[part].annotation
        # An optional section (``evaluation: EvaluationSpec | None``) holds its model.
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(inner) == 1:
            annotation = inner[0]
        assert isinstance(annotation, type) and issubclass(annotation, BaseModel), key
        model = annotation
    info = model.model_fields[parts[-1]]
    kind, optional, choices = _kind(info.annotation)
    default = info.default
    if default is PydanticUndefined:
        default = info.default_factory() if info.default_factory else None  # type: ignore[call-arg]
    return FormField(key, kind, info.description or "", optional, default, choices)


SECTIONS: tuple[FormSection, ...] = tuple(
    FormSection(title, tuple(form_field(key) for key in keys)) for title, keys in SECTION_KEYS
)
FIELDS: dict[str, FormField] = {f.key: f for s in SECTIONS for f in s.fields}


def format_value(value: Any) -> str:
    """A YAML value as the form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(format_value(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lookup(data: Any, key: str) -> tuple[bool, Any]:
    """``(True, value)`` at the dotted ``key`` of the parsed file, or ``(False, None)``."""
    try:
        return True, get_path(data, key)
    except PathNotFound:
        return False, None


@dataclass(frozen=True)
class FormData:
    """The form's starting text for every field, and the read-only facts shown beside."""

    values: dict[str, str]
    base_inputs: int
    callable_providers: dict[str, str]
    checks: str = ""
    """The evaluation's checks and evaluators in words (:func:`checks_summary`)."""


def form_data(text: str, path: Path) -> FormData:
    """What the form shows for the file text ``text`` (a ConfigError for broken YAML)."""
    data, _ = parse_yaml(text, path)
    if not isinstance(data, Mapping):
        data = {}
    values: dict[str, str] = {}
    for key, field in FIELDS.items():
        found, value = _lookup(data, key)
        values[key] = format_value(value if found else field.default)
    _, inputs = _lookup(data, "base_inputs")
    _, providers = _lookup(data, "replay_args.callable_providers")
    return FormData(
        values=values,
        checks=checks_summary(data),
        base_inputs=len(inputs) if isinstance(inputs, list) else 0,
        callable_providers={str(k): str(v) for k, v in providers.items()}
        if isinstance(providers, Mapping)
        else {},
    )


def _names(items: Any, describe: Callable[[Mapping[str, Any]], str]) -> list[str]:
    if not isinstance(items, list):
        return []
    return [describe(item) if isinstance(item, Mapping) else "?" for item in items]


def checks_summary(data: Any) -> str:
    """The checks of a parsed setting.yaml in words, for a form that edits the gate but
    not the lists: ``evaluation.checks: output_not_empty, contains; evaluators: tone
    (llm_judge); 1 input with its own checks``."""
    _, checks = _lookup(data, "evaluation.checks")
    _, evaluators = _lookup(data, "evaluation.evaluators")
    _, inputs = _lookup(data, "base_inputs")
    check_names = _names(checks, lambda item: str(item.get("check", "?")))
    evaluator_names = _names(
        evaluators, lambda item: f"{item.get('name', '?')} ({item.get('type', '?')})"
    )
    own = sum(
        1 for item in (inputs if isinstance(inputs, list) else []) if isinstance(item, Mapping)
        and item.get("checks")
    )  # fmt: skip
    parts = [
        "evaluation.checks: " + (", ".join(check_names) or "none"),
        "evaluators: " + (", ".join(evaluator_names) or "none"),
    ]
    if own:
        parts.append(f"own checks on {counted(own, 'input')}")
    return "; ".join(parts)


def parse_value(field: FormField, text: str) -> Any:
    """Typed text as the YAML value to write; None removes the key (its default applies).

    Text that is not a number stays text, so the model says what is wrong with it.
    """
    text = text.strip()
    if field.kind == "list":
        items = [item.strip() for item in text.split(",") if item.strip()]
        # An emptied optional list (runner.command) is removed, not written as [].
        return None if not items and field.optional else items
    if not text:
        return None if field.optional or field.kind != "text" else ""
    if field.kind == "bool":
        lowered = text.lower()
        return {"true": True, "false": False}.get(lowered, text)
    if field.kind in ("int", "float"):
        for number in (int, float) if field.kind == "float" else (int,):
            try:
                return number(text)
            except ValueError:
                continue
    return text


def form_changes(initial: Mapping[str, str], current: Mapping[str, str]) -> dict[str, Any]:
    """Dotted key -> value for the fields whose text differs from what was loaded."""
    return {
        key: parse_value(FIELDS[key], text)
        for key, text in current.items()
        if key in FIELDS and text.strip() != initial.get(key, "").strip()
    }


@dataclass(frozen=True)
class FormCheck:
    """The problems of a form's changes: by field key, and those no field owns."""

    by_field: dict[str, str]
    other: list[ConfigError]

    @property
    def ok(self) -> bool:
        """No problem at all: the changes can be saved."""
        return not self.by_field and not self.other


def check_form(text: str, path: Path, changes: Mapping[str, Any]) -> FormCheck:
    """Apply ``changes`` to ``text`` (the file's contents) and validate like the loader.

    A problem goes to the field of its key; one about a whole section (say replay_args)
    goes to the first changed field in that section; the rest are ``other``.
    """
    try:
        new_text = apply_changes(text, changes, path) if changes else text
    except ConfigError as error:
        return FormCheck({}, [error])
    by_field: dict[str, str] = {}
    other: list[ConfigError] = []
    for problem in config_text_problems(new_text, path):
        owner = _owner(problem.key, changes)
        if owner is None:
            other.append(problem)
        elif owner not in by_field:
            message = problem.message
            if problem.hint and problem.key != owner:
                message += f" {problem.hint}"
            by_field[owner] = message
    return FormCheck(by_field, other)


def _owner(key: str | None, changes: Mapping[str, Any]) -> str | None:
    if key is None:
        return None
    if key in FIELDS:
        return key
    inside = [k for k in FIELDS if k.startswith(key + ".")]
    changed = [k for k in inside if k in changes]
    return changed[0] if changed else None
