"""Cancelling long work (an experiment, input generation) from any thread: a signal
handler, a TUI button, a test. The one cancellation type of the core."""

from __future__ import annotations

import threading
from collections.abc import Callable

Listener = Callable[[bool], None]


class CancelToken:
    """Ask running work to stop.

    For an experiment, the first :meth:`cancel` is graceful (stop scheduling, let runs in
    flight finish within a grace period); the second is immediate. Input generation stops
    making new inputs at the first and keeps those made. Thread-safe, and safe to call from
    a signal handler (the lock is re-entrant, so a handler interrupting a holder cannot
    deadlock).
    """

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._count = 0
        self._listeners: list[Listener] = []

    def cancel(self) -> None:
        """Request a stop: graceful the first time, immediate after that."""
        with self._lock:
            self._count += 1
            forced = self._count >= 2
            listeners = list(self._listeners)
        for listener in listeners:
            listener(forced)

    @property
    def cancelled(self) -> bool:
        """Whether a stop was requested."""
        return self._count >= 1

    @property
    def forced(self) -> bool:
        """Whether an immediate stop was requested (cancel called twice)."""
        return self._count >= 2

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(forced)`` on every later cancel; returns an unsubscribe function."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe
