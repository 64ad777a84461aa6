"""The type of the ``fluxloop`` fixture (tests/conftest.py): runs the CLI in a child
process and returns it finished, for tests to annotate the fixture with."""

from __future__ import annotations

import subprocess
from collections.abc import Callable

Runner = Callable[..., subprocess.CompletedProcess[str]]
