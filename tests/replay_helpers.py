"""Recordings for tests, written as the SDK's record_call_args writes them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RECORDED_AT = "2026-01-01T00:00:00+00:00"


def write_recording(path: Path, target: str, calls: list[dict[str, Any]]) -> Path:
    """``path`` holding one version-1 line per kwargs of ``calls`` (iterations 0, 1, …)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        json.dumps(
            {"_version": "1", "iteration": i, "target": target, "kwargs": kwargs,
             "timestamp": RECORDED_AT}
        )
        + "\n"
        for i, kwargs in enumerate(calls)
    ]  # fmt: skip
    path.write_text("".join(lines))
    return path
