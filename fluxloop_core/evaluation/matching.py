"""Which of today's inputs a run of an older experiment was, for re-grading.

An experiment's runs are numbered by input position, but an inputs file may have been
reordered, grown or trimmed since: an input's own checks must follow the input, not its
old position. A run is matched by ``metadata.id`` when it and an input both have one, else
by its text (of several inputs with that text, the one at the run's old position if it is
one of them, else the first). A run matching no input is graded with the global checks
only, and its verdict says so (``input_missing``). When no input has checks of its own,
nothing is matched (every run gets the global checks alike).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fluxloop_core.results.models import TraceRecord

NO_INPUT = -1
"""The index of no input: a run so marked gets no per-input checks."""


def _id(metadata: Mapping[str, Any]) -> str | None:
    value = metadata.get("id")
    return None if value is None else str(value)


class InputMatcher:
    """Today's inputs, looked up by a run's metadata.id or text."""

    def __init__(self, inputs: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        self._by_id: dict[str, int] = {}
        self._by_text: dict[str, list[int]] = {}
        for index, (text, metadata) in enumerate(inputs):
            ident = _id(metadata)
            if ident is not None:
                self._by_id.setdefault(ident, index)
            self._by_text.setdefault(text, []).append(index)

    def index_of(self, record: TraceRecord) -> int:
        """The input ``record`` ran, as it is numbered now, or :data:`NO_INPUT`."""
        ident = _id(record.input_metadata) if record.input_metadata else None
        if ident is not None and ident in self._by_id:
            return self._by_id[ident]
        found = self._by_text.get(record.input)
        if not found:
            return NO_INPUT
        return record.input_index if record.input_index in found else found[0]
