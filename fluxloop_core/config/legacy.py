"""Read a fluxloop-cli 0.2.x project (``configs/{project,input,simulation,evaluation}.yaml``).

The released CLI deep-merges the four files in that order (a later file wins) into one
configuration. Here the merged keys are translated into setting.yaml's shape, and every
translated key remembers the 0.2.x file, line and key it came from, so an error points
at the line the user wrote. Keys with no counterpart are left out, each with the reason;
:mod:`fluxloop_core.config.migrate` lists them when it writes a setting.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from fluxloop_core.config.env import LayeredEnv, load_layered_env
from fluxloop_core.config.layout import (
    LEGACY_CONFIG_DIR,
    LEGACY_MAIN_FILE,
    LEGACY_SECTION_FILES,
    config_project_dir,
)
from fluxloop_core.config.loader import (
    KeyPath,
    LoadedConfig,
    Positions,
    _nul_problems,
    _resolve_paths,
    _to_config_error,
    expand_variables,
    format_key_path,
    parse_yaml,
    read_config_text,
)
from fluxloop_core.config.models import STRATEGIES, ExperimentConfig
from fluxloop_core.counts import counted
from fluxloop_core.errors import ConfigError


@dataclass(frozen=True)
class Origin:
    """Where a value was written in the 0.2.x files."""

    file: Path
    line: int | None
    column: int | None
    key: str

    @property
    def where(self) -> str:
        """``configs/input.yaml:46`` (relative to the project folder when possible)."""
        name = f"{self.file.parent.name}/{self.file.name}"
        return f"{name}:{self.line}" if self.line is not None else name


@dataclass(frozen=True)
class DroppedKey:
    """A 0.2.x key with no counterpart in setting.yaml, and why."""

    origin: Origin
    reason: str


@dataclass
class LegacyProject:
    """A 0.2.x project translated to setting.yaml's shape (values as written, unexpanded
    unless an environment was given)."""

    project_dir: Path
    data: dict[str, Any]
    origins: dict[KeyPath, Origin] = field(default_factory=dict)
    dropped: list[DroppedKey] = field(default_factory=list)
    # Settings whose meaning cannot be kept at all: loading refuses them (migrate too).
    refused: list[ConfigError] = field(default_factory=list)


# Keys the released CLI reads, with no counterpart here, and why (checked most specific
# first). Keys not listed and not translated go through to the schema, which reports them.
_NO_COUNTERPART: dict[KeyPath, str] = {
    ("version",): "setting.yaml has no version",
    ("source_root",): "only the 0.2.x VS Code extension used it",
    ("tags",): "experiments are not tagged here",
    ("metadata",): "project metadata has no counterpart here",
    ("personas",): "there are no personas here; an inputs file generated with personas "
    "keeps each input's persona in its metadata",
    ("variation_count",): "here input_generation.limit is the total number of inputs, "
    "not a count per strategy: set it yourself",
    ("variation_model",): "input_generation.llm.model names the model",
    ("seed",): "runs are not randomised here (input_generation.seed seeds generation only)",
    ("run_delay_seconds",): "there is no delay between runs: lower parallel_runs instead",
    ("multi_turn",): "0.2.x's supervisor-driven multi_turn is not carried over: scripted "
    "conversations are a conversation: section with personas: (see Conversations)",
    ("save_traces",): "traces.jsonl is always written",
    ("save_aggregated_metrics",): "summary.json is always written",
    ("evaluators",): "0.2.x evaluators are not read",
    ("collector_api_key",): "keys are not kept in setting.yaml: set FLUXLOOP_API_KEY in "
    "the project's .env",
    ("runner", "factory_kwargs"): "agent factories are not supported",
    ("runner", "setup_commands"): "setup commands are not run: run them before the experiment",
    ("runner", "use_docker"): "runs in Docker are not supported",
    ("runner", "docker_volumes"): "runs in Docker are not supported",
    ("input_generation", "llm", "api_key"): "keys are not kept in setting.yaml: put it in "
    "the project's .env as OPENAI_API_KEY (or FLUXLOOP_LLM_API_KEY); "
    "`fluxloop config set-llm` does",
    ("input_generation", "llm"): "has no counterpart in input_generation.llm",
}
_EVALUATION_REASON = (
    "configs/evaluation.yaml (the 0.2.x LLM-judge evaluation) is not read: "
    "define checks as the README's evaluation section describes"
)
# Same key, same meaning.
_SAME: frozenset[KeyPath] = frozenset(
    {
        ("name",),
        ("description",),
        ("iterations",),
        ("parallel_runs",),
        ("output_directory",),
        ("inputs_file",),
        ("replay_args",),
        ("input_generation", "mode"),
        *(
            ("input_generation", "llm", key)
            for key in ("enabled", "provider", "model", "temperature", "max_tokens", "base_url")
        ),
        *(
            ("runner", key)
            for key in (
                "target",
                "module_path",
                "function_name",
                "working_directory",
                "python_path",
                "environment_vars",
                "timeout_seconds",
                "max_retries",
                "retry_delay",
            )
        ),
    }
)
_RENAMED: dict[KeyPath, KeyPath] = {
    ("collector_url",): ("collector", "url"),
    ("variation_strategies",): ("input_generation", "strategies"),
    ("variation_temperature",): ("input_generation", "llm", "temperature"),
    ("input_generation", "llm", "request_timeout"): ("input_generation", "llm", "timeout_seconds"),
}
# 0.2.x strategy names: the ones meaning the same as one of ours, and the rest.
_STRATEGY_ALIASES = {"typo": "error_prone", "adversarial": "edge_case"}


def _is_unset(value: Any) -> bool:
    """None, "" and empty collections: what 0.2.x templates write for "not used"."""
    return value is None or value == "" or (isinstance(value, list | dict) and not value)


def _read_section(path: Path, env: Mapping[str, str] | None) -> tuple[Any, Positions]:
    text = read_config_text(path)
    data, positions = parse_yaml(text, path)
    if data is None:
        return {}, positions
    if not isinstance(data, dict):
        raise ConfigError(
            f"must be a mapping of keys at the top level, not a {type(data).__name__}",
            file=path,
            line=1,
            hint="Each 0.2.x configs/ file is a mapping of keys.",
        )
    nul = _nul_problems(data, path, positions)
    if nul:
        raise nul[0]
    if env is not None:
        data = expand_variables(data, env, path, positions)
    return data, positions


def _merge(
    into: dict[str, Any],
    data: Mapping[str, Any],
    prefix: KeyPath,
    origin_of: dict[KeyPath, Origin],
    path: Path,
    positions: Positions,
) -> None:
    """The released CLI's deep merge (mappings merge, anything else is replaced), keeping
    for each key path the file and line of the value that won."""
    for key, value in data.items():
        key_path = (*prefix, str(key))
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value, key_path, origin_of, path, positions)
            continue
        into[key] = value
        for known in [k for k in origin_of if k[: len(key_path)] == key_path]:
            del origin_of[known]
        for sub, (line, column) in positions.items():
            if sub[: len(key_path)] == key_path:
                origin_of[sub] = Origin(path, line, column, format_key_path(sub))


def _walk(value: Any, prefix: KeyPath) -> list[tuple[KeyPath, Any]]:
    """Every leaf of ``value`` (mappings opened, lists and scalars kept whole)."""
    if isinstance(value, dict) and value:
        leaves: list[tuple[KeyPath, Any]] = []
        for key, child in value.items():
            leaves.extend(_walk(child, (*prefix, str(key))))
        return leaves
    return [(prefix, value)]


class _Translator:
    def __init__(self, project: LegacyProject, origin_of: dict[KeyPath, Origin]) -> None:
        self.project = project
        self.origin_of = origin_of

    def origin(self, old: KeyPath) -> Origin:
        for end in range(len(old), 0, -1):
            if old[:end] in self.origin_of:
                return self.origin_of[old[:end]]
        return Origin(
            self.project.project_dir / LEGACY_CONFIG_DIR / LEGACY_MAIN_FILE,
            None,
            None,
            format_key_path(old),
        )

    def put(self, new: KeyPath, value: Any, old: KeyPath) -> None:
        """Write ``value`` at ``new``, remembering where each part of it came from."""
        target = self.project.data
        for part in new[:-1]:
            target = target.setdefault(str(part), {})
        target[str(new[-1])] = value
        for sub, origin in self.origin_of.items():
            if sub[: len(old)] == old:
                self.project.origins[(*new, *sub[len(old) :])] = origin

    def drop(self, old: KeyPath, value: Any, reason: str) -> None:
        """List ``old`` as not carried over, once per unit the reason is about (all of
        ``multi_turn`` is one entry, not one per key inside it)."""
        if _is_unset(value):
            return
        unit = self.unit_of(old)
        origin = self.origin(unit)
        if any(d.origin == origin for d in self.project.dropped):
            return
        self.project.dropped.append(DroppedKey(origin, reason))

    def unit_of(self, old: KeyPath) -> KeyPath:
        for end in range(1, len(old) + 1):
            if old[:end] in _NO_COUNTERPART and old[:end] != ("input_generation", "llm"):
                return old[:end]
        return old[:3] if old[:2] == ("input_generation", "llm") else old[:1]

    def reason_for(self, old: KeyPath) -> str | None:
        for end in range(len(old), 0, -1):
            if old[:end] in _NO_COUNTERPART:
                if old[:end] == ("input_generation", "llm") and len(old) == 2:
                    return None
                return _NO_COUNTERPART[old[:end]]
        if self.origin(old).file.name == "evaluation.yaml":
            return _EVALUATION_REASON
        return None


def _translate(merged: dict[str, Any], t: _Translator) -> None:
    for old, value in _walk(merged, ()):
        if old == ("replay_args",) or old[:1] == ("replay_args",):
            continue  # whole, below
        if old[:1] == ("base_inputs",):
            continue
        reason = t.reason_for(old)
        if old == ("multi_turn", "enabled") and value is True:
            origin = t.origin(old)
            t.project.refused.append(
                ConfigError(
                    "0.2.x's supervisor-driven multi-turn conversations are not carried over: "
                    "every run would be one call of the agent",
                    file=origin.file,
                    line=origin.line,
                    column=origin.column,
                    key=origin.key,
                    hint="Set multi_turn.enabled: false to run each input as a single turn; "
                    "for scripted conversations, add conversation: and personas: to "
                    "setting.yaml (see Conversations in the README).",
                )
            )
        if old in _SAME:
            if old == ("runner", "python_path") and value is None:
                continue  # the template's empty "python_path:" means none
            t.put(old, value, old)
        elif old in _RENAMED:
            new = _RENAMED[old]
            if old == ("variation_strategies",) and isinstance(value, list):
                value = _strategies(value, t)
            if old == ("variation_temperature",) and (
                "temperature" in merged.get("input_generation", {}).get("llm", {})
            ):
                continue  # input_generation.llm.temperature says it already
            if old == ("collector_url",) and value is None:
                continue
            t.put(new, value, old)
        elif reason is not None:
            t.drop(old, value, reason)
        else:
            t.put(old, value, old)  # unknown here: the schema reports it at its line
    if "replay_args" in merged:
        t.put(("replay_args",), merged["replay_args"], ("replay_args",))
    if "base_inputs" in merged:
        t.put(("base_inputs",), _base_inputs(merged["base_inputs"], t), ("base_inputs",))
    _module_and_function(t)
    for section in (("runner",), ("input_generation",), ("input_generation", "llm")):
        if section in t.origin_of and section not in t.project.origins:
            t.project.origins[section] = t.origin_of[section]  # kept under its own name


def _strategies(values: list[Any], t: _Translator) -> list[Any]:
    kept: list[Any] = []
    for index, name in enumerate(values):
        name = _STRATEGY_ALIASES.get(name, name) if isinstance(name, str) else name
        if isinstance(name, str) and name not in STRATEGIES:
            t.drop(
                ("variation_strategies", index),
                name,
                f"strategy {name!r} has no counterpart (here: {', '.join(STRATEGIES)})",
            )
        elif name not in kept:
            kept.append(name)
    return kept


def _base_inputs(value: Any, t: _Translator) -> Any:
    """0.2.x base inputs keep labels beside ``input`` (``expected_intent: help``); here they
    go under ``metadata``."""
    if not isinstance(value, list):
        return value
    items: list[Any] = []
    for index, item in enumerate(value):
        if isinstance(item, dict) and "input" in item:
            labels = {k: v for k, v in item.items() if k not in {"input", "metadata"}}
            metadata = item.get("metadata") if isinstance(item.get("metadata"), dict) else {}
            for key in labels:
                old = ("base_inputs", index, key)
                t.origin_of[("base_inputs", index, "metadata", key)] = t.origin(old)
            item = {"input": item["input"], "metadata": {**labels, **(metadata or {})}}
        items.append(item)
    return items


def _module_and_function(t: _Translator) -> None:
    """0.2.x templates write ``target`` and the ``module_path`` + ``function_name`` it was
    made of; when they agree, ``target`` says it all (here giving both is an error)."""
    runner = t.project.data.get("runner")
    if not isinstance(runner, dict) or not isinstance(runner.get("target"), str):
        return
    if f"{runner.get('module_path')}:{runner.get('function_name')}" == runner["target"]:
        del runner["module_path"], runner["function_name"]
        for key in ("module_path", "function_name"):
            t.project.origins.pop(("runner", key), None)


def read_legacy_project(
    project_dir: Path, *, env: Mapping[str, str] | None = None
) -> LegacyProject:
    """The 0.2.x project in ``project_dir`` translated to setting.yaml's shape.

    With ``env``, ``${VAR}`` in values is expanded (as for setting.yaml); without, values
    stay as written (for :func:`~fluxloop_core.config.migrate.migrate_project`). Raises a
    ConfigError naming the file and line for unreadable or malformed files.
    """
    merged: dict[str, Any] = {}
    origin_of: dict[KeyPath, Origin] = {}
    for name in LEGACY_SECTION_FILES:
        path = project_dir / LEGACY_CONFIG_DIR / name
        if not path.exists() and name != LEGACY_MAIN_FILE:
            continue  # the released CLI needs only simulation.yaml (and input.yaml)
        data, positions = _read_section(path, env)
        _merge(merged, data, (), origin_of, path, positions)
    project = LegacyProject(project_dir=project_dir, data={})
    _translate(merged, _Translator(project, origin_of))
    return project


def _located(error: Mapping[str, Any], project: LegacyProject) -> ConfigError:
    """A schema error at the 0.2.x file, line and key the value came from."""
    loc: KeyPath = tuple(p for p in error["loc"] if isinstance(p, int | str))
    origin = next(
        (
            project.origins[loc[:end]]
            for end in range(len(loc), 0, -1)
            if loc[:end] in project.origins
        ),
        None,
    )
    main = project.project_dir / LEGACY_CONFIG_DIR / LEGACY_MAIN_FILE
    if origin is None:
        return _to_config_error(error, main, {})
    problem = _to_config_error(error, origin.file, {loc: (origin.line or 0, origin.column or 0)})
    if origin.line is None:
        problem.line = problem.column = None
    # Name the key as the user wrote it, and what it stands for here when that differs.
    new_key = format_key_path(loc)
    problem.key = origin.key if origin.key == new_key else f"{origin.key} (here {new_key})"
    return problem


def _validate(
    project: LegacyProject,
) -> tuple[ExperimentConfig | None, list[ConfigError]]:
    if project.refused:
        return None, list(project.refused)
    try:
        return ExperimentConfig.model_validate(project.data), []
    except ValidationError as exc:
        problems = [_located(e, project) for e in exc.errors()]
    order = {name: index for index, name in enumerate(LEGACY_SECTION_FILES)}
    problems.sort(key=lambda p: (order.get(Path(p.file or "").name, 9), p.line or 0, p.column or 0))
    return None, problems


def legacy_config_problems(
    config_file: Path, *, env: Mapping[str, str] | None = None
) -> list[ConfigError]:
    """Every problem of the 0.2.x project of ``config_file`` (its configs/simulation.yaml),
    each at its 0.2.x file and line, in file order; empty when it loads."""
    project_dir = config_project_dir(config_file.absolute())
    try:
        layered = env if env is not None else load_layered_env(project_dir)
        return _validate(read_legacy_project(project_dir, env=layered))[1]
    except ConfigError as error:
        return [error]


def load_legacy_config(config_file: Path, *, env: LayeredEnv | None = None) -> LoadedConfig:
    """Load a 0.2.x project from its ``configs/simulation.yaml`` as one validated config.

    Relative paths resolve from the project folder (as the released CLI did); the first
    problem is raised as a ConfigError at the 0.2.x file and line.
    """
    config_file = config_file.absolute()
    project_dir = config_project_dir(config_file)
    layered = env if env is not None else load_layered_env(project_dir)
    config, problems = _validate(read_legacy_project(project_dir, env=layered))
    if problems:
        first = problems[0]
        if len(problems) > 1:
            first.hint = (first.hint + " " if first.hint else "") + (
                f"({counted(len(problems) - 1, 'more problem')}: "
                f"`fluxloop config validate --project {project_dir}` lists them all.)"
            )
        raise first
    assert config is not None
    _resolve_paths(config, project_dir)
    return LoadedConfig(
        config=config,
        path=config_file,
        project_dir=project_dir,
        env=layered,
        raw_text=read_config_text(config_file),
    )
