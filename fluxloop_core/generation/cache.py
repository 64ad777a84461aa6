"""An on-disk cache of model answers, so a repeated generation makes no request.

One JSON file per answer under ``$XDG_CACHE_HOME/fluxloop/llm`` (default
``~/.cache/fluxloop/llm``), named by a SHA-256 of the endpoint, model, messages and
parameters.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from fluxloop_core.files import write_atomic


def cache_dir() -> Path:
    """Where answers are kept."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "fluxloop" / "llm"


def cache_key(endpoint: str, model: str, messages: list[dict[str, str]], **params: Any) -> str:
    """A stable key for one request."""
    blob = json.dumps(
        {"endpoint": endpoint, "model": model, "messages": messages, "params": params},
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def read(key: str) -> dict[str, Any] | None:
    """The cached answer for ``key``, or None (a damaged entry counts as a miss)."""
    path = cache_dir() / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def write(key: str, answer: dict[str, Any]) -> None:
    """Keep an answer; a cache that cannot be written is not an error."""
    with contextlib.suppress(OSError):
        write_atomic(cache_dir() / f"{key}.json", json.dumps(answer, ensure_ascii=False))
