"""Which FluxLoop and LLM variables are set, where each comes from, and (masked) values.

Shared by ``fluxloop config env`` and the TUI. Secrets never leave this module unmasked:
without ``show_values`` a row says only "set" or "not set"; with it, secrets keep their
last 4 characters (:func:`mask_secret`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.config.env import (
    KNOWN_VARIABLES,
    SOURCE_DEFAULT,
    SOURCE_GLOBAL,
    SOURCE_PROCESS,
    LayeredEnv,
    read_env_file,
)
from fluxloop_core.config.layout import workspace_env_file
from fluxloop_core.redaction import mask_secret

SOURCE_UNSET = "not set"
_UNKNOWN_DESCRIPTION = "not a variable FluxLoop reads (a typo?)"


@dataclass(frozen=True)
class EnvRow:
    """One variable as shown to a user."""

    name: str
    description: str
    secret: bool
    is_set: bool
    source: str  # process, project .env, global .env, default, or "not set"
    value: str  # "set"/"not set", or the (masked) value with show_values


def _display(
    value: str | None, *, secret: bool, show_values: bool, is_set: bool, default: bool = False
) -> str:
    if default and value is not None and not secret:
        return value  # a documented default holds nothing private: say what is in effect
    if not show_values:
        return "set" if is_set else "not set"
    if value is None:
        return SOURCE_UNSET
    return mask_secret(value) if secret else value


def env_report(env: LayeredEnv, *, show_values: bool) -> list[EnvRow]:
    """Every known variable in documented order, then unknown FLUXLOOP_* names in .env files.

    A variable that is not set but has a default is reported with source "default".
    Unknown FLUXLOOP_* variables are listed (masked like secrets) so typos are visible.
    """
    rows: list[EnvRow] = []
    known = {variable.name for variable in KNOWN_VARIABLES}
    for variable in KNOWN_VARIABLES:
        if variable.name in env and env[variable.name] != "":
            value: str | None = env[variable.name]
            source = env.source(variable.name)
            is_set = True
        elif variable.default is not None:
            value, source, is_set = variable.default, SOURCE_DEFAULT, False
        else:
            value, source, is_set = None, "-", False
        rows.append(
            EnvRow(
                name=variable.name,
                description=variable.description,
                secret=variable.secret,
                is_set=is_set,
                source=source,
                value=_display(
                    value,
                    secret=variable.secret,
                    show_values=show_values,
                    is_set=is_set,
                    default=source == SOURCE_DEFAULT,
                ),
            )
        )
    for name in sorted(env):
        if name.startswith("FLUXLOOP_") and name not in known:
            rows.append(
                EnvRow(
                    name=name,
                    description=_UNKNOWN_DESCRIPTION,
                    secret=True,
                    is_set=True,
                    source=env.source(name),
                    value=_display(env[name], secret=True, show_values=show_values, is_set=True),
                )
            )
    return rows


def workspace_env(cwd: Path, *, process_env: Mapping[str, str] | None = None) -> LayeredEnv:
    """The environment outside any project: the process env over the nearest fluxloop/.env."""
    process = dict(os.environ if process_env is None else process_env)
    global_file = workspace_env_file(cwd)
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    if global_file is not None:
        for name, value in read_env_file(global_file).items():
            values[name], sources[name] = value, SOURCE_GLOBAL
    for name, value in process.items():
        values[name], sources[name] = value, SOURCE_PROCESS
    return LayeredEnv(variables=values, sources=sources, global_env_file=global_file)
