"""The executors a run may use (``runner.executor``, ``--executor``, the TUI's choice).

Imports nothing heavy: the CLI's parser lists them without loading the config models.
"""

from __future__ import annotations

from typing import Literal, get_args

ExecutorName = Literal["local", "processes", "ray"]
"""local: threads or asyncio in the runner's process; processes: worker processes on this
machine; ray: actors on a Ray cluster (the optional extra)."""
RAY_INSTALL = 'pip install "fluxloop-workbench[ray]"'
"""How the Ray executor's optional dependency is installed."""
EXECUTORS: tuple[ExecutorName, ...] = get_args(ExecutorName)
