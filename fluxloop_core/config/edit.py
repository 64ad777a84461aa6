"""Edit setting.yaml in place, keeping the user's comments, key order and quoting.

The file is round-tripped with ruamel.yaml (never re-dumped from a dict), the result is
validated like any config before it replaces the old file, and the replacement is atomic
(temp file in the same folder + os.replace). Used by ``fluxloop config set-llm`` and the
TUI's config editor.
"""

from __future__ import annotations

import copy
import io
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from fluxloop_core.config.dotenv_edit import format_env_value, set_env_value
from fluxloop_core.config.env import load_layered_env, provider_key_variable
from fluxloop_core.config.layout import is_legacy_config_file
from fluxloop_core.config.loader import (
    config_problems,
    load_config,
    parse_yaml,
    read_config_text,
)
from fluxloop_core.errors import ConfigError, UsageError
from fluxloop_core.files import write_atomic

_PROVIDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class LLMChange:
    """What :func:`set_llm` wrote, for the caller to report (the key itself is not kept)."""

    config_path: Path
    env_file: Path
    variable: str
    provider: str
    model: str
    base_url: str | None
    mode: str
    shadowed_by_process: bool


_BLOCK_KEY = re.compile(r"^(\s*)[^\s#-][^#]*:\s*(#.*)?$")


def guess_indent(text: str) -> tuple[int, int]:
    """``(mapping indent, sequence dash offset)`` as the file itself uses them.

    Taken from the first nested mapping and the first block sequence under a key, so a
    round trip re-emits untouched parts the way they were written.
    """
    mapping: int | None = None
    offset: int | None = None
    previous: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#") or stripped.startswith("%"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        if previous is not None:
            match = _BLOCK_KEY.match(previous)
            if match:
                parent = len(match.group(1))
                if stripped.startswith("- ") and indent >= parent and offset is None:
                    offset = indent - parent
                elif not stripped.startswith("-") and indent > parent and mapping is None:
                    mapping = indent - parent
        if mapping is not None and offset is not None:
            break
        previous = line
    return mapping or 2, offset or 0


def _yaml(text: str, path: Path) -> tuple[Any, Any]:
    """A round-trip YAML instance set to the file's own indentation, and the loaded data.

    The text goes through :func:`parse_yaml` first, so syntax errors, alias bombs and deep
    nesting are refused at their line exactly as for every other YAML read.
    """
    parse_yaml(text, path)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the user's long lines
    mapping, offset = guess_indent(text)
    yaml.indent(mapping=mapping, sequence=offset + 2, offset=offset)
    return yaml, yaml.load(text)


def _last_entry(node: Any) -> tuple[Any, Any] | None:
    """The (container, key) of the deepest last scalar entry under ``node``."""
    container = node
    while True:
        if isinstance(container, CommentedMap) and container:
            last: Any = next(reversed(container))
        elif isinstance(container, CommentedSeq) and container:
            last = len(container) - 1
        else:
            return None
        child = container[last]
        if isinstance(child, CommentedMap | CommentedSeq) and child:
            container = child
            continue
        return container, last


def _append_key(node: CommentedMap, key: str, value: Any) -> None:
    """Add ``key`` at the end of ``node``, after the comments that end the block.

    ruamel attaches the comment lines that follow a block (often the next section's
    heading) to its last entry; appending a key after that entry would slide it below
    them, so the comment moves to the new key.
    """
    owner = _last_entry(node)
    node[key] = value
    if owner is None:
        return
    container, last = owner
    entry = container.ca.items.get(last)
    slot = 2 if isinstance(container, CommentedMap) else 0
    token = entry[slot] if entry and len(entry) > slot else None
    if token is None or "\n" not in token.value:
        return
    head, _, rest = token.value.partition("\n")
    if not rest.strip():
        return
    moved = copy.copy(token)
    moved.value = "\n" + rest
    if head.strip():
        token.value = head + "\n"
    else:
        entry[slot] = None
    node.ca.items[key] = [None, None, moved, None]


def _set(data: Any, dotted: str, value: Any, path: Path) -> None:
    parts = dotted.split(".")
    if not dotted or any(not part for part in parts):
        raise UsageError(f"{dotted!r} is not a dotted key path (e.g. input_generation.llm.model)")
    node = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        where = ".".join(parts[: depth + 1])
        if isinstance(node, CommentedSeq):
            if not part.isdigit() or int(part) >= len(node):
                raise ConfigError(
                    f"no item {part} in this list", file=path, key=where.rpartition(".")[0]
                )
            key: Any = int(part)
        elif isinstance(node, CommentedMap):
            key = part
        else:
            raise ConfigError(
                "is not a mapping, so it has no keys", file=path, key=where.rpartition(".")[0]
            )
        if last:
            if value is None:
                if isinstance(node, CommentedMap):
                    node.pop(key, None)
                else:
                    del node[key]
                return
            old = node.get(key) if isinstance(node, CommentedMap) else node[key]
            # Keep the user's quoting style for a replaced string.
            if isinstance(old, ScalarString) and isinstance(value, str):
                value = type(old)(value)
            if isinstance(node, CommentedMap) and key not in node:
                _append_key(node, key, value)
            else:
                node[key] = value
            return
        if isinstance(node, CommentedMap) and node.get(key) is None:
            if key in node:
                node[key] = CommentedMap()
            else:
                _append_key(node, key, CommentedMap())
        node = node[key]


def render_changes(path: Path, changes: Mapping[str, Any]) -> str:
    """The text of ``path`` with ``changes`` applied, validated; nothing is written.

    ``changes`` maps dotted key paths (``input_generation.llm.model``; list items by
    index, ``base_inputs.0.input``) to new values; None removes the key (back to its
    default). Raises ConfigError when the result would not be a valid config.
    """
    if is_legacy_config_file(path):
        # A 0.2.x section file is not a setting.yaml: its keys are translated on reading.
        raise ConfigError(
            "is part of a fluxloop-cli 0.2.x project; FluxLoop edits only setting.yaml",
            file=path,
            hint="Run `fluxloop config migrate` to write a setting.yaml from configs/, "
            "then run this again.",
        )
    new_text = apply_changes(read_config_text(path), changes, path)
    _check(path, new_text)
    return new_text


def apply_changes(text: str, changes: Mapping[str, Any], path: Path) -> str:
    """``text`` (the contents of ``path``) with ``changes`` applied, not validated.

    Same round trip and key paths as :func:`render_changes`; for editors that validate
    the result themselves (``config_text_problems``) to show every problem at once.
    """
    yaml, data = _yaml(text, path)
    if not isinstance(data, CommentedMap):
        raise ConfigError(
            "must be a mapping of keys at the top level to be edited",
            file=path,
            hint="Fix it by hand first (`fluxloop config validate` shows what is wrong).",
        )
    for dotted, value in changes.items():
        _set(data, dotted, value, path)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _check(path: Path, new_text: str) -> None:
    # Validate the candidate as a sibling file so relative paths resolve the same way.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".check")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(new_text)
        problems = config_problems(tmp, env=load_layered_env(path.parent))
    finally:
        Path(tmp).unlink(missing_ok=True)
    if problems:
        first = problems[0]
        raise ConfigError(
            first.message,
            file=path,
            line=first.line,
            column=first.column,
            key=first.key,
            hint=(first.hint + " " if first.hint else "")
            + "The change was not written; `fluxloop config validate` lists every problem.",
        )


def update_config_values(path: Path, changes: Mapping[str, Any]) -> None:
    """Apply ``changes`` (dotted key path -> value, None removes) to a config file in place.

    Comments, key order and quoting survive; the result must validate or nothing is
    written (ConfigError); the write is atomic.
    """
    write_atomic(path, render_changes(path, changes))


def set_llm(
    config_path: Path,
    provider: str,
    key: str,
    *,
    model: str | None = None,
    base_url: str | None = None,
) -> LLMChange:
    """Store an LLM key and settings for the project of ``config_path``.

    The key goes to the project's .env (``config_path``'s folder; created when missing)
    as ``provider_key_variable(provider)`` — OPENAI_API_KEY, ANTHROPIC_API_KEY, or
    FLUXLOOP_LLM_API_KEY for any other provider. The project .env wins over the
    workspace's fluxloop/.env, so the new key is the one in effect (unless the shell sets
    the same variable). setting.yaml gets ``input_generation.llm.enabled: true`` and the
    provider (plus model/base_url when given); ``input_generation.mode`` is left alone.
    The config is checked before anything is written.
    """
    if not _PROVIDER.match(provider):
        raise UsageError(
            f"{provider!r} is not a provider name",
            key="input_generation.llm.provider",
            hint="Use openai, anthropic, or a name (letters, digits, -, _) for an "
            "OpenAI-compatible server at input_generation.llm.base_url.",
        )
    if not key.strip() or any(ch.isspace() for ch in key):
        raise UsageError(
            "the key is empty or contains spaces", key="KEY", hint="Pass the API key itself."
        )
    format_env_value(key)  # refuses what a .env file cannot hold, before writing anything
    if base_url is not None and not re.match(r"^https?://[^\s/]+", base_url):
        raise UsageError(
            f"{base_url!r} is not an http(s) URL",
            key="input_generation.llm.base_url",
            hint="For example: http://127.0.0.1:8080/v1.",
        )
    changes: dict[str, Any] = {
        "input_generation.llm.enabled": True,
        "input_generation.llm.provider": provider,
    }
    if model is not None:
        if not model.strip():
            raise UsageError("the model name is empty", key="input_generation.llm.model")
        changes["input_generation.llm.model"] = model
    if base_url is not None:
        changes["input_generation.llm.base_url"] = base_url
    new_text = render_changes(config_path, changes)
    variable = provider_key_variable(provider)
    env_file = config_path.parent / ".env"
    set_env_value(env_file, variable, key)
    write_atomic(config_path, new_text)
    loaded = load_config(config_path)
    llm = loaded.config.input_generation.llm
    return LLMChange(
        config_path=config_path,
        env_file=env_file,
        variable=variable,
        provider=llm.provider,
        model=llm.model,
        base_url=llm.base_url,
        mode=loaded.config.input_generation.mode,
        shadowed_by_process=bool(os.environ.get(variable)),
    )


@dataclass(frozen=True)
class ValueChange:
    """What :func:`set_config_value` wrote: the key, its value before (None when it was
    not in the file) and after."""

    config_path: Path
    key: str
    old: Any
    new: Any


def _current_value(path: Path, dotted: str) -> Any:
    data, _ = parse_yaml(read_config_text(path), path)
    for part in dotted.split("."):
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def set_config_value(path: Path, dotted: str, text: str | None) -> ValueChange:
    """Set one key of a config file from the command line, typed by the schema.

    ``text`` is read as YAML (``60``, ``true``, ``[a, b]``, ``{k: v}``); when that type
    does not fit the key but the plain string does (``model: "4"``), the string is
    written. None removes the key (back to its default). Nothing is written unless the
    result validates; the error names the key, and an unknown key its closest name.
    """
    old = _current_value(path, dotted)
    if text is None:
        update_config_values(path, {dotted: None})
        return ValueChange(path, dotted, old, None)
    try:
        typed, _ = parse_yaml(text, Path("<value>"))
    except ConfigError:
        typed = text  # not YAML ("[draft"): it can only be meant as a string
    candidates = [typed] if typed == text else [typed, text]
    error: ConfigError | None = None
    for value in candidates:
        if value is None:
            continue  # `null` would remove the key: that is what --unset says
        try:
            update_config_values(path, {dotted: value})
        except ConfigError as exc:
            error = error or exc
            continue
        return ValueChange(path, dotted, old, value)
    raise error or UsageError(
        f"{text!r} is empty as a value", hint="Pass a value, or --unset to remove the key."
    )
