"""Sending finished traces to the collector from a background thread.

The agent's thread only appends to a bounded deque (``max_queue_size``): it never waits
on the network. When the queue is full the oldest trace is dropped and counted (logged
with debug on). A daemon thread takes batches of ``batch_size`` traces every
``flush_interval`` seconds (or as soon as a batch is full) and posts them in the
``collector_format``: ``fluxloop`` posts each batch to ``POST {collector_url}/api/traces``
as ``{"traces": [...]}``; ``legacy`` posts each trace and then each of its observations
as fluxloop 0.1.x did (:mod:`fluxloop.wire`). 5xx answers and connection errors are
retried with backoff. Pending traces are flushed at interpreter exit within a short
timeout.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections import deque
from typing import Any

from fluxloop.config import SDKConfig, get_config
from fluxloop.wire import TRACES_PATH, headers, legacy_requests

logger = logging.getLogger("fluxloop")

RETRIES = 3
EXIT_TIMEOUT = 2.0


class Exporter:
    """One background sender per process (started on the first trace)."""

    def __init__(self) -> None:
        self._queue: deque[dict[str, Any]] = deque()
        self._condition = threading.Condition()
        self._thread: threading.Thread | None = None
        self._in_flight = 0
        self._flush_requested = False
        self.dropped = 0
        self.sent = 0
        self.failed = 0

    def submit(self, trace: dict[str, Any]) -> None:
        """Queue a finished trace; never blocks on the network."""
        config = get_config()
        with self._condition:
            while len(self._queue) >= config.max_queue_size:
                self._queue.popleft()
                self.dropped += 1
                if config.debug:
                    logger.warning("fluxloop: export queue full, dropped %d traces", self.dropped)
            self._queue.append(trace)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="fluxloop-exporter", daemon=True
                )
                self._thread.start()
            if len(self._queue) >= config.batch_size:
                self._condition.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Send everything queued now; True when the queue drained within ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._condition:
            self._flush_requested = True
            self._condition.notify_all()
            while self._queue or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None:
                    return not (self._queue or self._in_flight)
                self._condition.wait(left)
            self._flush_requested = False
        return True

    def _next_batch(self) -> list[dict[str, Any]]:
        config = get_config()
        with self._condition:
            if len(self._queue) < config.batch_size and not self._flush_requested:
                self._condition.wait(config.flush_interval)
                config = get_config()  # settings may have changed while this thread waited
            batch = [self._queue.popleft() for _ in range(min(config.batch_size, len(self._queue)))]
            self._in_flight = len(batch)
            if not self._queue:
                self._flush_requested = False
            return batch

    def _run(self) -> None:
        import httpx

        with httpx.Client() as client:
            while True:
                batch = self._next_batch()
                if batch:
                    self._send(client, batch)
                with self._condition:
                    self._in_flight = 0
                    self._condition.notify_all()

    def _send(self, client: Any, batch: list[dict[str, Any]]) -> None:
        config = get_config()
        if not config.collector_url:
            return
        base = config.collector_url.rstrip("/")
        if config.collector_format == "legacy":
            for trace in batch:
                # The observations of a trace the collector never got would be refused.
                sent = all(
                    self._post(client, config, base + path, body)
                    for path, body in legacy_requests(trace)
                )
                self._count(config, 1, sent, base)
            return
        self._count(
            config,
            len(batch),
            self._post(client, config, base + TRACES_PATH, {"traces": batch}),
            base,
        )

    def _count(self, config: SDKConfig, traces: int, sent: bool, url: str) -> None:
        if sent:
            self.sent += traces
            return
        self.failed += traces
        if config.debug:
            logger.warning("fluxloop: gave up sending %d traces to %s", traces, url)

    def _post(self, client: Any, config: SDKConfig, url: str, body: dict[str, Any]) -> bool:
        """POST with retries; True once answered below 500 (a 4xx is not retried)."""
        import httpx

        for attempt in range(RETRIES + 1):
            try:
                response = client.post(
                    url, json=body, headers=headers(config), timeout=config.timeout
                )
                if response.status_code < 500:
                    if response.status_code >= 400 and config.debug:
                        logger.warning(
                            "fluxloop: collector refused %s: %s", url, response.status_code
                        )
                    return True
            except httpx.HTTPError as exc:
                if config.debug:
                    logger.warning("fluxloop: collector unreachable: %s", exc)
            if attempt < RETRIES:
                time.sleep(min(0.1 * 2**attempt, 2.0))
        return False


_exporter = Exporter()


def submit(trace: dict[str, Any]) -> None:
    """Queue a finished trace for the collector."""
    _exporter.submit(trace)


def flush(timeout: float = 5.0) -> bool:
    """Send every pending trace now; True when all were handed over within ``timeout``."""
    return _exporter.flush(timeout)


def exporter_stats() -> dict[str, int]:
    """Traces sent, dropped (queue overflow) and failed (retries exhausted)."""
    return {"sent": _exporter.sent, "dropped": _exporter.dropped, "failed": _exporter.failed}


atexit.register(lambda: _exporter.flush(EXIT_TIMEOUT) if _exporter._queue else None)
