"""Every SDK test starts from default settings and fresh recording counters."""

from __future__ import annotations

from collections.abc import Iterator

import fluxloop
import pytest
from fluxloop.recording import reset_recording_state


@pytest.fixture(autouse=True)
def _fresh_sdk() -> Iterator[None]:
    fluxloop.reset_config()
    reset_recording_state()
    yield
    fluxloop.flush(2.0)
    fluxloop.reset_config()
    reset_recording_state()
