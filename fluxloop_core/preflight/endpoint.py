"""Is an http target's endpoint reachable? (``status check``'s target line.)

Only a TCP connection is opened: a request could change the agent's state or cost money,
and a method the endpoint refuses (405) would say nothing about whether runs can reach it.
"""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from fluxloop_core.config.http_target import HttpTarget

CONNECT_TIMEOUT_SECONDS = 3.0


def endpoint_unreachable(http: HttpTarget, timeout: float = CONNECT_TIMEOUT_SECONDS) -> str | None:
    """Why ``http.url``'s host and port take no connection; None when one opens."""
    parts = urlsplit(http.url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"cannot connect to {host}:{port}: {exc.strerror or exc}"
