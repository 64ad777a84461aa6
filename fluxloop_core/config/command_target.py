"""``runner.command``: an agent that is a program, driven through its stdin and stdout.

``runner.command`` is the program and its arguments (a list: no shell, so no quoting
rules), ``runner.protocol`` how it is talked to: ``jsonl`` keeps ``parallel_runs`` copies
running, each answering one request line after another; ``per_run`` starts the program
once per run. The lines themselves are :mod:`fluxloop_core.runner.command_lines`'.
"""

from __future__ import annotations

import os
import shlex
import shutil
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

CommandProtocol = Literal["jsonl", "per_run"]
DEFAULT_PROTOCOL: CommandProtocol = "jsonl"


def argv_problem(argv: list[str]) -> str | None:
    """Why ``argv`` cannot be a command; None when it can."""
    if not argv:
        return 'must name a program, e.g. ["node", "agent.js"]'
    if not argv[0].strip():
        return "the program (the first item) is empty"
    if any("\0" in item for item in argv):
        return "an item holds a NUL character, which no command line can carry"
    return None


def find_program(program: str, folder: Path, path: str | None) -> str | None:
    """Where ``program`` is: a name on ``path`` (PATH), or a path (relative ones from
    ``folder``, the runs' working directory) to an executable file; None when not found."""
    if os.sep in program or (os.altsep and os.altsep in program):
        candidate = Path(program).expanduser()
        if not candidate.is_absolute():
            candidate = folder / candidate
        return str(candidate) if candidate.is_file() and os.access(candidate, os.X_OK) else None
    return shutil.which(program, path=path)


@dataclass(frozen=True)
class CommandSpec:
    """Everything needed to start the agent's program, as plain picklable data (a Ray
    actor or a worker can build the executor from it)."""

    argv: tuple[str, ...]
    protocol: CommandProtocol
    folder: Path
    """The working directory of the program (``runner.working_directory``)."""
    variables: Mapping[str, str] = field(default_factory=dict)
    """Added to this process's environment: the .env files' and ``environment_vars``."""
    timeout_seconds: float = 300.0
    parallel_runs: int = 1
    override_path: str | None = None
    """``replay_args.override_param_path``: where a replayed run's input goes in the
    recorded kwargs its request line carries."""

    def environment(self) -> dict[str, str]:
        """The program's environment."""
        return {**os.environ, **self.variables}

    def describe(self) -> str:
        """The command line as shown to people (``status check``, ``--dry-run``)."""
        return shlex.join(self.argv)
