"""Errors a user can fix.

Every mistake a user can make (bad YAML, unknown key, missing file, bad target, broken
recording line, wrong type) is raised as a subclass of :class:`UserError`. Front ends render
it as one paragraph — where, what, and the fix — and the plain CLI exits with code 2.
Anything else is a bug in FluxLoop and is allowed to show a traceback.
"""

from __future__ import annotations

import errno
from pathlib import Path

from fluxloop_core.exit_codes import EXIT_USAGE
from fluxloop_core.redaction import redact


class UserError(Exception):
    """A mistake in the user's input, carrying where it is and how to fix it."""

    exit_code = EXIT_USAGE

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
        key: str | None = None,
        hint: str | None = None,
    ) -> None:
        # A message may quote a value expanded from a secret ("got 'sk-…'"): hidden here,
        # once, so every front end that shows a message or its parts shows it redacted.
        message = redact(message)
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.column = column
        self.key = key
        self.hint = None if hint is None else redact(hint)

    @property
    def location(self) -> str:
        """``file:line:column`` as far as it is known, or an empty string."""
        if self.file is None:
            return ""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return where

    def render(self, *, with_hint: bool = True) -> str:
        """The one-paragraph form shown to users: ``file:line:col: key: message. hint``
        (without the hint when a front end shows it apart, as a fix)."""
        parts = []
        if self.location:
            parts.append(f"{self.location}:")
        if self.key:
            parts.append(f"{self.key}:")
        parts.append(self.message.rstrip())
        text = " ".join(parts)
        if self.hint and with_hint:
            if not text.endswith((".", "?", "!", ":")):
                text += "."
            text += f" {self.hint.strip()}"
        return text

    def __str__(self) -> str:
        return self.render()


class ConfigError(UserError):
    """setting.yaml (or a file it names) is malformed, mistyped or inconsistent."""


class ProjectNotFoundError(UserError):
    """No project could be found for ``--project`` or from the current folder."""


class RecordingError(UserError):
    """A recording file is missing or a line in it is broken."""


class InputsError(UserError):
    """An inputs file (inputs/generated.yaml) is missing or malformed."""


class TargetError(UserError):
    """A ``module:qualname`` target cannot be imported, found or called."""


class ReplayError(UserError):
    """Recorded arguments cannot be replayed (missing provider, bad override path)."""


class GenerationError(UserError):
    """Input generation cannot proceed (unknown strategy, no key, LLM endpoint failing)."""


class UsageError(UserError):
    """A command-line option or argument is wrong in a way argparse cannot see."""


class FileSystemError(UserError):
    """The operating system refused a path the user chose (too long, a folder, no access...)."""


_OS_HINTS = {
    errno.ENAMETOOLONG: "Use a shorter name, or a folder nearer the root.",
    errno.EACCES: "Check who may write there (`ls -ld` on the folder), or choose another folder.",
    errno.EPERM: "Check who may write there (`ls -ld` on the folder), or choose another folder.",
    errno.EROFS: "That file system is read-only: choose a folder you can write.",
    errno.EISDIR: "That is a folder: name a file (in it) instead.",
    errno.ENOTDIR: "A part of that path is a file, not a folder: fix the path.",
    errno.ENOENT: "A folder on that path does not exist or cannot hold files: fix the path.",
    errno.ENOSPC: "The disk is full: free some space or choose another folder.",
    errno.ENOEXEC: "It is not a program this system can run: point it at a Python "
    "interpreter (e.g. .venv/bin/python).",
    errno.ELOOP: "The path has a symbolic link loop: fix the link.",
    errno.EEXIST: "Something is already there: remove it or choose another path.",
}


def from_os_error(error: OSError) -> UserError | None:
    """``error`` as a user error naming its path and the fix, or None when it names no path
    (then it is not about something the user chose, and stays a failure of the tool)."""
    if error.filename is None:
        return None
    return FileSystemError(
        error.strerror or type(error).__name__,
        file=str(error.filename),
        hint=_OS_HINTS.get(error.errno or 0),
    )
