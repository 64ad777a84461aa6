"""Load setting.yaml into an :class:`ExperimentConfig`, or say exactly what is wrong.

Every problem becomes a :class:`ConfigError` that names the file, the line and column (YAML
node positions are kept), the key path and the fix. Relative paths resolve from the config
file's folder; ``${VAR}`` (or ``${VAR:-default}``) in string values expands from the layered
environment.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from fluxloop_core.config.env import LayeredEnv, load_layered_env
from fluxloop_core.config.models import ExperimentConfig
from fluxloop_core.counts import counted
from fluxloop_core.errors import ConfigError
from fluxloop_core.wording import closest, problem_text

KeyPath = tuple[str | int, ...]
Positions = dict[KeyPath, tuple[int, int]]

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LoadedConfig:
    """A validated config with where it came from and the environment it was read with."""

    config: ExperimentConfig
    path: Path
    project_dir: Path
    env: LayeredEnv
    raw_text: str


def format_key_path(path: KeyPath) -> str:
    """``("runner", "target")`` -> ``runner.target``; list items as ``base_inputs[0]``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def parse_key_path(key: str) -> KeyPath:
    """The inverse of :func:`format_key_path`: ``base_inputs[0].checks`` ->
    ``("base_inputs", 0, "checks")``."""
    return tuple(int(index) if index else name for name, index in _KEY_PART.findall(key))


_KEY_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def read_config_text(path: Path) -> str:
    """The file's text, or a ConfigError for a missing file, a folder, a device or pipe,
    or non-UTF-8 bytes."""
    if not path.exists():
        raise ConfigError(
            "config file not found",
            file=path,
            hint="Check the path (relative paths are from the current folder), "
            "or create a project with `fluxloop init project --name NAME`.",
        )
    if path.is_dir():
        raise ConfigError(
            "is a directory, not a config file",
            file=path,
            hint=f"Pass the YAML file inside it, e.g. --config {path / 'setting.yaml'}.",
        )
    if not path.is_file():
        # A device or pipe (/dev/zero, a FIFO) would be read forever or wait forever.
        raise ConfigError(
            "is not a regular file (a device, pipe or socket)",
            file=path,
            hint="Pass a YAML file.",
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"is not UTF-8 text (byte 0x{data[exc.start]:02x})",
            file=path,
            line=line,
            hint="Save the file as UTF-8.",
        ) from None


# Bounds on what one YAML file may make the loader build. Aliases share their anchor's
# node, but every later walk (variable expansion, validation, dumping) copies it, so a
# 1 KB "billion laughs" file would grow without bound; the composer also recurses per level.
MAX_ALIAS_EXPANSION = 10_000
MAX_YAML_DEPTH = 100


def parse_yaml(text: str, path: Path) -> tuple[Any, Positions]:
    """Parse YAML keeping each key's (line, column); every problem becomes a ConfigError.

    The one reader of YAML files (setting.yaml, inputs files, the config editors): syntax
    errors, alias expansion beyond :data:`MAX_ALIAS_EXPANSION` values and nesting beyond
    :data:`MAX_YAML_DEPTH` levels are reported at their line before anything is built.
    """
    try:
        _check_bounds(text, path)
        loader = _SafeLoader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        raise ConfigError(
            f"malformed YAML: {problem}",
            file=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
            hint="Check indentation, colons and quotes around this spot.",
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"malformed YAML: {exc}", file=path) from None
    positions: Positions = {}
    if node is not None:
        _collect_positions(node, (), positions, path)
    return data, positions


def _check_bounds(text: str, path: Path) -> None:
    """Refuse runaway alias expansion and deep nesting, from the event stream (no tree)."""
    sizes: dict[str, int] = {}  # anchor -> values its block expands to
    open_blocks: list[tuple[str | None, int]] = []  # (anchor, expanded count at its start)
    expanded = 0  # values the document expands to, aliases counted in full
    copied = 0  # of which came from aliases
    for event in yaml.parse(text, Loader=_SafeLoader):
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            size = sizes.get(str(event.anchor), 1)  # an unknown anchor fails in the composer
            expanded += size
            copied += size
            if copied > MAX_ALIAS_EXPANSION:
                raise ConfigError(
                    f"the alias *{event.anchor} makes the file expand to more than "
                    f"{MAX_ALIAS_EXPANSION:,} values through aliases (limit)",
                    file=path,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint="Aliases nested in aliases multiply; write the values out, "
                    "or repeat fewer of them.",
                )
        elif isinstance(event, yaml.ScalarEvent):
            expanded += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            expanded += 1
            open_blocks.append((event.anchor, expanded))
            if len(open_blocks) > MAX_YAML_DEPTH:
                raise ConfigError(
                    f"too deeply nested (limit {MAX_YAML_DEPTH} levels)",
                    file=path,
                    line=mark.line + 1 if mark else None,
                    column=mark.column + 1 if mark else None,
                    hint="Flatten the structure; no FluxLoop file needs that depth.",
                )
        elif isinstance(event, yaml.CollectionEndEvent) and open_blocks:
            anchor, start = open_blocks.pop()
            if anchor is not None:
                sizes[anchor] = expanded - start + 1


def _collect_positions(node: yaml.Node, prefix: KeyPath, out: Positions, path: Path) -> None:
    # Iterative so a deeply nested file cannot hit the recursion limit.
    stack: list[tuple[yaml.Node, KeyPath]] = [(node, prefix)]
    while stack:
        current, key_path = stack.pop()
        if isinstance(current, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, value_node in current.value:
                key = str(key_node.value)
                if key in seen:
                    raise ConfigError(
                        "duplicate key",
                        file=path,
                        line=key_node.start_mark.line + 1,
                        column=key_node.start_mark.column + 1,
                        key=format_key_path((*key_path, key)),
                        hint="Keep one of the two entries.",
                    )
                seen.add(key)
                child = (*key_path, key)
                out[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                stack.append((value_node, child))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                child = (*key_path, index)
                out[child] = (item.start_mark.line + 1, item.start_mark.column + 1)
                stack.append((item, child))


def expand_variables(data: Any, env: Mapping[str, str], path: Path, positions: Positions) -> Any:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in every string value."""

    def expand(value: Any, key_path: KeyPath) -> Any:
        if isinstance(value, str) and "${" in value:

            def substitute(match: re.Match[str]) -> str:
                name, default = match.group(1), match.group(2)
                if name in env and env[name] != "":
                    return env[name]
                if default is not None:
                    return default
                line, column = nearest_position(key_path, positions)
                raise ConfigError(
                    f"${{{name}}} is not set",
                    file=path,
                    line=line,
                    column=column,
                    key=format_key_path(key_path),
                    hint=f"Set {name} in the environment or a .env file, "
                    f"or give a default: ${{{name}:-value}}.",
                )

            return _VAR.sub(substitute, value)
        if isinstance(value, dict):
            return {k: expand(v, (*key_path, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [expand(v, (*key_path, i)) for i, v in enumerate(value)]
        return value

    return expand(data, ())


def _fields_at(loc: KeyPath) -> list[str]:
    """The known keys of the model that holds ``loc``'s last part."""
    model: type[BaseModel] = ExperimentConfig
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        inner = getattr(annotation, "__args__", None)
        candidates = [annotation, *(inner or ())]
        sub = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if sub is None:
            return []
        model = sub
    return list(model.model_fields)


def nearest_position(loc: KeyPath, positions: Positions) -> tuple[int | None, int | None]:
    """``(line, column)`` of ``loc`` in the YAML, or of its nearest parent written there
    (a key left out points at the mapping that should hold it); ``(None, None)`` if none."""
    for end in range(len(loc), 0, -1):
        if loc[:end] in positions:
            return positions[loc[:end]]
    return None, None


def _to_config_error(error: Mapping[str, Any], path: Path, positions: Positions) -> ConfigError:
    # pydantic puts model-level validator errors at the model's loc; keep only real keys.
    loc: KeyPath = tuple(p for p in error["loc"] if isinstance(p, int | str))
    line, column = nearest_position(loc, positions)
    kind = error["type"]
    key = format_key_path(loc) or None
    hint: str | None = None
    if kind == "extra_forbidden" and loc:
        unknown = str(loc[-1])
        known = _fields_at(loc)
        close = closest(unknown, known)
        message = "unknown key"
        hint = (
            f"Did you mean {close}?"
            if close
            else f"Known keys here: {', '.join(known)}."
            if known
            else None
        )
    elif kind == "missing":
        message = "is required but missing"
        hint = "Add it (see `fluxloop config schema` for every key)."
    else:
        message = problem_text(error)
        if kind not in {"value_error", "assertion_error"} and "input" in error:
            message += f" (got {error['input']!r})"
    return ConfigError(message, file=path, line=line, column=column, key=key, hint=hint)


def _nul_problems(data: Any, path: Path, positions: Positions) -> list[ConfigError]:
    """Keys and text holding a NUL byte: no path, name or environment value can hold one.

    ``base_inputs`` are exempt: they are only ever handed to the agent, and a NUL byte
    is a fair edge case to test it with.
    """
    problems: list[ConfigError] = []
    stack: list[tuple[Any, KeyPath]] = [(data, ())]
    while stack:
        value, key_path = stack.pop()
        if key_path == ("base_inputs",):
            continue
        if isinstance(value, dict):
            for key, child in value.items():
                child_path = (*key_path, str(key))
                if "\0" in str(key):
                    problems.append(_nul_error(child_path, path, positions))
                stack.append((child, child_path))
        elif isinstance(value, list):
            stack.extend((child, (*key_path, i)) for i, child in enumerate(value))
        elif isinstance(value, str) and "\0" in value:
            problems.append(_nul_error(key_path, path, positions))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))


def _nul_error(key_path: KeyPath, path: Path, positions: Positions) -> ConfigError:
    line, column = nearest_position(key_path, positions)
    return ConfigError(
        "holds a NUL byte (\\0), which no name, path or environment value can hold",
        file=path,
        line=line,
        column=column,
        key=format_key_path(key_path),
        hint="Remove it.",
    )


def _resolve_paths(config: ExperimentConfig, base: Path) -> None:
    def resolve(value: Path) -> Path:
        value = value.expanduser()
        return value if value.is_absolute() else (base / value).resolve()

    config.runner.working_directory = resolve(config.runner.working_directory)
    config.runner.import_paths = [resolve(folder) for folder in config.runner.import_paths]
    config.output_directory = resolve(config.output_directory)
    if config.inputs_file is not None:
        config.inputs_file = resolve(config.inputs_file)
    if config.replay_args.recording_file is not None:
        config.replay_args.recording_file = resolve(config.replay_args.recording_file)


def _validate(
    text: str, path: Path, env: Mapping[str, str]
) -> tuple[ExperimentConfig | None, list[ConfigError]]:
    data, positions = parse_yaml(text, path)
    if data is None:
        return None, [
            ConfigError(
                "is empty",
                file=path,
                hint="A config needs at least `name:` and `runner: {target: ...}`; "
                "`fluxloop init project` writes a complete one.",
            )
        ]
    if not isinstance(data, dict):
        return None, [
            ConfigError(
                f"must be a mapping of keys at the top level, not a {type(data).__name__}",
                file=path,
                line=1,
                hint="Start with `name: my_experiment` and `runner:`.",
            )
        ]
    data = expand_variables(data, env, path, positions)
    nul = _nul_problems(data, path, positions)
    if nul:
        return None, nul
    try:
        config = ExperimentConfig.model_validate(data)
    except ValidationError as exc:
        problems = [_to_config_error(e, path, positions) for e in exc.errors()]
        return None, sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
    _resolve_paths(config, path.parent)
    return config, []


def config_problems(path: str | Path, *, env: Mapping[str, str] | None = None) -> list[ConfigError]:
    """Every schema problem of a config file (empty when it is valid)."""
    path = Path(path).absolute()
    try:
        text = read_config_text(path)
    except ConfigError as error:
        return [error]
    return config_text_problems(text, path, env=env)


def config_text_problems(
    text: str, path: str | Path, *, env: Mapping[str, str] | None = None
) -> list[ConfigError]:
    """Every problem of ``text`` read as the contents of ``path`` (not read, need not exist).

    For editors: unsaved text is checked exactly like the file, relative paths and the
    environment taken from ``path``'s folder; problems come sorted by line.
    """
    path = Path(path).absolute()
    try:
        layered = env if env is not None else load_layered_env(path.parent)
        _, problems = _validate(text, path, layered)
    except ConfigError as error:
        return [error]
    return problems


def load_config(path: str | Path, *, env: LayeredEnv | None = None) -> LoadedConfig:
    """Read, expand and validate a config file; raise the first problem as a ConfigError."""
    path = Path(path).absolute()
    return load_config_text(read_config_text(path), path, env=env)


def load_config_text(text: str, path: Path, *, env: LayeredEnv | None = None) -> LoadedConfig:
    """:func:`load_config` of ``text`` read as the contents of ``path`` (an editor's
    unsaved buffer); raise the first problem as a ConfigError."""
    path = Path(path).absolute()
    layered = env if env is not None else load_layered_env(path.parent)
    config, problems = _validate(text, path, layered)
    if problems:
        first = problems[0]
        if len(problems) > 1:
            more = len(problems) - 1
            first.hint = (first.hint + " " if first.hint else "") + (
                f"({counted(more, 'more problem')}: "
                f"`fluxloop config validate --config {path}` lists them all.)"
            )
        raise first
    assert config is not None
    return LoadedConfig(
        config=config, path=path, project_dir=path.parent, env=layered, raw_text=text
    )
