"""The executors a run may use (``runner.executor``, ``--executor``, the TUI's choice).

Imports nothing heavy: the CLI's parser lists them without loading the config models.
"""

from __future__ import annotations

from typing import Literal, get_args

ExecutorName = Literal["local", "processes"]
"""local: threads or asyncio in the runner's process; processes: worker processes."""
EXECUTORS: tuple[ExecutorName, ...] = get_args(ExecutorName)
