"""The exit codes of the plain ``fluxloop`` command: an API that CI scripts read.

They separate "the agent is worse" (1) from "the input is wrong" (2) and from "FluxLoop
itself broke" (3), so a pipeline can tell which one to page about.
"""

from __future__ import annotations

EXIT_OK = 0
"""Everything ran and met its bar."""

EXIT_FAILED_BAR = 1
"""It ran but failed its bar (success rate below ``--min-success-rate``, a run's error,
LLM retries ran out with partial inputs written)."""

EXIT_USAGE = 2
"""Bad usage or a bad config, file or environment value: the message names it and the fix."""

EXIT_TOOL_FAILED = 3
"""FluxLoop itself failed: one line on stderr and the path of a crash log."""

EXIT_INTERRUPTED = 130
"""Interrupted (Ctrl-C, SIGTERM); whatever finished is kept."""
