"""Reading what was typed into the screens' fields."""

from __future__ import annotations

from fluxloop_core.errors import UserError


def whole_number(text: str, name: str, minimum: int) -> int | None:
    """The whole number typed in a field; None when left empty (the config's value)."""
    if not text.strip():
        return None
    try:
        value = int(text)
    except ValueError:
        raise UserError(f"{name} must be a whole number, not {text!r}") from None
    if value < minimum:
        raise UserError(f"{name} must be at least {minimum}")
    return value
