"""The one form of a pre-run problem: what is wrong, where, and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from fluxloop_core.config.loader import (
    LoadedConfig,
    Positions,
    nearest_position,
    parse_key_path,
)
from fluxloop_core.errors import (
    ConfigError,
    InputsError,
    ReplayError,
    TargetError,
    UserError,
)

ProblemKind = Literal["config", "target", "recording", "inputs"]

_ERRORS: dict[str, type[UserError]] = {
    "config": ConfigError,
    "target": TargetError,
    "recording": ReplayError,
    "inputs": InputsError,
}


@dataclass(frozen=True)
class Problem:
    """One thing to fix, with where it is."""

    kind: ProblemKind
    message: str
    file: Path | None = None
    line: int | None = None
    column: int | None = None
    key: str | None = None
    hint: str | None = None
    raises: type[UserError] | None = field(default=None, compare=False, repr=False)
    """The error the runner raises for it (by default the kind's)."""

    @classmethod
    def from_error(cls, kind: ProblemKind, error: UserError) -> Problem:
        """The problem a raised UserError describes (raised again as the same type)."""
        return cls(
            kind=kind,
            message=error.message,
            file=Path(error.file) if error.file else None,
            line=error.line,
            column=error.column,
            key=error.key,
            hint=error.hint,
            raises=type(error),
        )

    def error(self) -> UserError:
        """The UserError the runner raises for this problem."""
        error_type = self.raises or _ERRORS[self.kind]
        return error_type(
            self.message,
            file=self.file,
            line=self.line,
            column=self.column,
            key=self.key,
            hint=self.hint,
        )

    def render(self) -> str:
        """``file:line:column: key: message. hint`` (the same form as every user error)."""
        return self.error().render()

    def to_json(self) -> dict[str, object]:
        """A JSON-ready mapping (for ``--json``)."""
        return {
            "kind": self.kind,
            "file": str(self.file) if self.file else None,
            "line": self.line,
            "column": self.column,
            "key": self.key,
            "message": self.message,
            "hint": self.hint,
            "text": self.render(),
        }


def at_key(
    loaded: LoadedConfig,
    positions: Positions,
    kind: ProblemKind,
    key: str,
    message: str,
    hint: str | None = None,
    raises: type[UserError] | None = None,
) -> Problem:
    """A problem with the config key ``key`` (dotted), at its line in the config file."""
    line, column = nearest_position(parse_key_path(key), positions)
    return Problem(
        kind=kind,
        message=message,
        file=loaded.path,
        line=line,
        column=column,
        key=key,
        hint=hint,
        raises=raises,
    )


def located(error: UserError, loaded: LoadedConfig, positions: Positions) -> UserError:
    """``error`` pointed at its key's line in the config, when it names a key but no file."""
    if error.file is None and error.key is not None:
        error.file = str(loaded.path)
        error.line, error.column = nearest_position(parse_key_path(error.key), positions)
    return error


def raise_first(problems: list[Problem]) -> None:
    """Raise the first problem as its UserError (the runner stops at the first)."""
    if problems:
        raise problems[0].error()
