"""Counts in words: "1 run", "2 runs". Every count printed to a user goes through here."""

from __future__ import annotations


def counted(number: int, singular: str, plural: str | None = None, *, grouped: bool = False) -> str:
    """``number`` and the noun in the form that agrees with it (``plural`` defaults to +s).

    ``grouped`` writes thousands with commas (``12,345 lines``), for counts that get large.
    """
    noun = singular if number == 1 else (plural or singular + "s")
    return f"{number:,} {noun}" if grouped else f"{number} {noun}"
