"""Two texts side by side, split into the pieces both share and the pieces that differ.

Words (and the blanks between them) are the units, so a changed number lights up as a
changed word rather than as scattered characters. Front ends style the changed pieces
(the TUI: removed in red on the left, added in green on the right).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKENS = re.compile(r"\s+|[^\s]+")
MAX_TOKENS = 20_000
"""Beyond this many words a side, the texts are shown as wholly different (difflib is
quadratic at worst; an agent's answer can be megabytes)."""


@dataclass(frozen=True)
class Piece:
    """A run of text, ``changed`` when the other side does not have it."""

    text: str
    changed: bool


def side_by_side(before: str, after: str) -> tuple[list[Piece], list[Piece]]:
    """(the pieces of ``before``, the pieces of ``after``): joined, each side is its text."""
    left_tokens = _TOKENS.findall(before)
    right_tokens = _TOKENS.findall(after)
    if len(left_tokens) > MAX_TOKENS or len(right_tokens) > MAX_TOKENS:
        return [Piece(before, before != after)], [Piece(after, before != after)]
    left: list[Piece] = []
    right: list[Piece] = []
    matcher = SequenceMatcher(None, left_tokens, right_tokens, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        changed = tag != "equal"
        if i2 > i1:
            left.append(Piece("".join(left_tokens[i1:i2]), changed))
        if j2 > j1:
            right.append(Piece("".join(right_tokens[j1:j2]), changed))
    return left, right
