"""Write a setting.yaml from a fluxloop-cli 0.2.x project (``fluxloop config migrate``).

The translation is :mod:`fluxloop_core.config.legacy`'s, so the written file means what
the project meant when it was read in place: the migrated config loads to the same
configuration. Values are written as they were (``${VAR}`` unexpanded); the comment block
above each key and a key's end-of-line comment come along; every key with no counterpart
is listed, with its 0.2.x file:line and why, both in the result and at the end of the file.
configs/ is left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from fluxloop_core.config.env import load_layered_env
from fluxloop_core.config.layout import (
    CONFIG_FILE_NAME,
    LEGACY_CONFIG_DIR,
    LEGACY_MAIN_FILE,
)
from fluxloop_core.config.legacy import (
    DroppedKey,
    LegacyProject,
    Origin,
    load_legacy_config,
    read_legacy_project,
)
from fluxloop_core.config.loader import KeyPath, _fields_at, config_text_problems
from fluxloop_core.errors import ProjectNotFoundError, UsageError, from_os_error
from fluxloop_core.files import write_atomic


@dataclass(frozen=True)
class MigrationResult:
    """What ``migrate_project`` wrote: the file, its text, and the keys left behind."""

    path: Path
    text: str
    not_carried: list[DroppedKey]


def migrate_project(project_dir: Path, *, force: bool = False) -> MigrationResult:
    """Write ``project_dir/setting.yaml`` from the 0.2.x ``configs/`` beside it.

    Raises a ProjectNotFoundError when ``project_dir`` has no ``configs/simulation.yaml``,
    a UsageError when setting.yaml exists and ``force`` is false (nothing is written), and
    a ConfigError at the 0.2.x file and line when the project does not load. The file is
    written atomically: a failure leaves the previous one (or none) in place.
    """
    project_dir = project_dir.expanduser().absolute()
    source = project_dir / LEGACY_CONFIG_DIR / LEGACY_MAIN_FILE
    target = project_dir / CONFIG_FILE_NAME
    if not source.is_file():
        raise ProjectNotFoundError(
            f"not a fluxloop-cli 0.2.x project: no {LEGACY_CONFIG_DIR}/{LEGACY_MAIN_FILE}",
            file=project_dir,
            hint="Pass the project folder that holds configs/ (--project NAME|PATH).",
        )
    if target.exists() and not force:
        raise UsageError(
            f"{CONFIG_FILE_NAME} already exists; nothing was written",
            file=target,
            hint="Pass --force to replace it (configs/ stays as it is).",
        )
    # Load it as a run would first: a mistake is reported at its 0.2.x file and line.
    load_legacy_config(source)
    legacy = read_legacy_project(project_dir)
    text = render_setting(legacy)
    problems = config_text_problems(text, target, env=load_layered_env(project_dir))
    if problems:  # the translation loaded above; a difference here is a bug, not the user's
        raise AssertionError(f"migrated setting.yaml does not load: {problems[0].render()}")
    try:
        write_atomic(target, text)
    except OSError as exc:
        raise from_os_error(exc) or exc from None
    return MigrationResult(path=target, text=text, not_carried=list(legacy.dropped))


def render_setting(legacy: LegacyProject) -> str:
    """The setting.yaml text of a translated 0.2.x project, comments carried along."""
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# FluxLoop setting.yaml, migrated from this project's fluxloop-cli 0.2.x configs/",
        f"# by `fluxloop config migrate` ({stamp}). configs/ is unchanged; with this file",
        "# here, fluxloop reads this file and no longer configs/.",
        "# `fluxloop config schema` prints this file's JSON Schema (editor completion).",
        "",
    ]
    comments = _Comments()
    for key, value in _ordered(legacy.data, ()):
        lines.extend(_emit(key, value, (key,), 0, legacy, comments))
        lines.append("")
    if legacy.dropped:
        lines.append("# Not carried over from configs/ (no counterpart in setting.yaml):")
        for dropped in legacy.dropped:
            lines.append(f"#   {dropped.origin.key} ({dropped.origin.where}): {dropped.reason}")
    return "\n".join(lines).rstrip("\n") + "\n"


def _emit(
    key: str, value: Any, path: KeyPath, indent: int, legacy: LegacyProject, comments: _Comments
) -> list[str]:
    pad = " " * indent
    origin = legacy.origins.get(path)
    above, inline = comments.around(origin) if origin is not None else ([], "")
    lines = [pad + line for line in above]
    if isinstance(value, dict) and value:
        lines.append(f"{pad}{key}:{'  ' + inline if inline else ''}")
        for child_key, child in _ordered(value, path):
            lines.extend(_emit(child_key, child, (*path, child_key), indent + 2, legacy, comments))
        return lines
    dumped = yaml.safe_dump(
        {key: value}, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    ).rstrip("\n")
    body = dumped.split("\n")
    if inline and len(body) == 1:
        body[0] += "  " + inline
    lines.extend(pad + line for line in body)
    return lines


def _ordered(mapping: dict[str, Any], path: KeyPath) -> list[tuple[str, Any]]:
    """A mapping's items in setting.yaml's order (the schema's), unknown keys last."""
    order = _fields_at((*path, ""))
    return sorted(
        ((str(k), v) for k, v in mapping.items()),
        key=lambda item: order.index(item[0]) if item[0] in order else len(order),
    )


class _Comments:
    """Comments of the 0.2.x files: the block above a key and its end-of-line comment.
    Each comment is carried once, however many keys share its line."""

    def __init__(self) -> None:
        self._lines: dict[Path, list[str]] = {}
        self._used: set[tuple[Path, int]] = set()

    def _file(self, path: Path) -> list[str]:
        if path not in self._lines:
            try:
                self._lines[path] = path.read_text(encoding="utf-8").splitlines()
            except (OSError, UnicodeDecodeError):
                self._lines[path] = []
        return self._lines[path]

    def around(self, origin: Origin) -> tuple[list[str], str]:
        lines = self._file(origin.file)
        if origin.line is None or not 0 < origin.line <= len(lines):
            return [], ""
        index = origin.line - 1
        inline = ""
        if (origin.file, index) not in self._used:
            self._used.add((origin.file, index))
            inline = _end_comment(lines[index])
        above: list[str] = []
        cursor = index - 1
        while cursor >= 0 and not lines[cursor].strip():
            cursor -= 1  # blank lines between a section's comment and its key
        while cursor >= 0 and lines[cursor].strip().startswith("#"):
            if (origin.file, cursor) in self._used:
                break
            self._used.add((origin.file, cursor))
            above.insert(0, lines[cursor].strip())
            cursor -= 1
        if cursor < 0:
            above = []  # the file's own header ("FluxLoop Simulation Configuration")
        return above, inline


def _end_comment(line: str) -> str:
    """The ``# ...`` ending a YAML line, outside quotes ('' on a line without one)."""
    quote: str | None = None
    for index, char in enumerate(line):
        if quote:
            if char == quote:
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1] in " \t"):
            return line[index:].strip() if line[:index].strip() else ""
    return ""
