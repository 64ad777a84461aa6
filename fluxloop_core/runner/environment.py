"""The process state a run sees: sys.path, the current folder and environment variables."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from types import TracebackType

from fluxloop_core.config.models import RunnerConfig
from fluxloop_core.runner.target import SysPath


class RunEnvironment:
    """For the duration of an experiment: ``folder`` first on sys.path and as the cwd,
    ``import_paths`` after it, and ``variables`` in os.environ. Everything is restored on exit.

    This is process-wide state (there is one cwd and one os.environ per process); a front
    end running two experiments at once must use ``runner.python_path`` workers instead.
    """

    def __init__(
        self, folder: Path, variables: Mapping[str, str], runner: RunnerConfig | None = None
    ) -> None:
        self._folder = folder
        self._variables = dict(variables)
        import_paths = runner.import_paths if runner is not None else []
        if runner is not None:
            # runner.import_paths: after ``folder`` on sys.path, and on PYTHONPATH for the
            # worker processes of runner.python_path (and anything the agent starts).
            self._variables.update(runner.import_path_variables({**os.environ, **self._variables}))
        self._extra_paths = [SysPath(p) for p in reversed(import_paths)]
        self._sys_path = SysPath(folder)
        self._saved_env: dict[str, str | None] = {}
        self._saved_cwd: str | None = None

    def __enter__(self) -> RunEnvironment:
        self._saved_cwd = os.getcwd()
        self._saved_env = {name: os.environ.get(name) for name in self._variables}
        os.environ.update(self._variables)
        os.chdir(self._folder)
        for extra in self._extra_paths:
            extra.__enter__()
        self._sys_path.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._sys_path.__exit__()
        for extra in reversed(self._extra_paths):
            extra.__exit__()
        if self._saved_cwd is not None:
            os.chdir(self._saved_cwd)
        for name, value in self._saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
