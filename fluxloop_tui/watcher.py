"""Watching one file for outside edits, from a thread; the config screen hears of them."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

WATCH_DEBOUNCE_MS = 50
"""How long the watcher gathers a burst of file events before reporting them."""


class FileWatcher:
    """Reports outside edits of one file from a thread (watchfiles), until stopped.

    The folder is watched (an atomic save replaces the file's inode), filtered to the file.
    """

    def __init__(self, path: Path, on_change: Callable[[], None]) -> None:
        """``on_change`` is called from the watcher's thread after each burst of edits."""
        self.path = path
        self.on_change = on_change
        self.stop_event = threading.Event()
        self.ready = threading.Event()  # set once watching: an edit after it is seen
        self.thread = threading.Thread(target=self._run, name="config-watcher", daemon=True)

    def start(self) -> None:
        """Begin watching in a daemon thread."""
        self.thread.start()

    def stop(self) -> None:
        """Stop and wait briefly for the thread (it checks the stop event every step)."""
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout=2)

    def _run(self) -> None:
        from watchfiles import watch  # loaded when a watch starts, not when the app opens

        name = self.path.name

        def only_this_file(_change: object, changed: str) -> bool:
            return Path(changed).name == name

        self.ready.set()
        for _changes in watch(
            self.path.parent,
            watch_filter=only_this_file,
            debounce=WATCH_DEBOUNCE_MS,
            step=20,
            stop_event=self.stop_event,
            recursive=False,
            poll_delay_ms=100,
            raise_interrupt=False,
        ):
            if self.stop_event.is_set():
                break
            self.on_change()
