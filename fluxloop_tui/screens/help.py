"""`?`: every key, for keyboard-only use, read from the bindings the app and screens declare.

The list is built from each binding's keys and description, so it cannot drift from what
the keys do: a new binding shows here, with the words the footer shows.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

TITLE_WIDTH = 13
LINE_WIDTH = 74  # inside the dialog's border and padding on an 80-column terminal
KEY_NAMES = {"escape": "Esc", "enter": "Enter", "question_mark": "?", "slash": "/"}

HEADING = "FluxLoop keys (Ctrl+P finds every action by name)"
CLOSING = (
    "Enter opens the selected row; Tab moves between the fields of a screen.\n"
    "Every screen is a plain command too: fluxloop init, config,\n"
    "generate inputs, run experiment, status, config env."
)


def key_label(key: str) -> str:
    """``ctrl+s`` as Ctrl+S, ``question_mark`` as ?, ``escape`` as Esc, ``f2`` as F2."""
    *modifiers, name = key.split("+")
    name = KEY_NAMES.get(name, name)
    if modifiers or (name[:1] == "f" and name[1:].isdigit()):
        name = name.upper()
    return "+".join([*(m.capitalize() for m in modifiers), name])


def _said(description: str) -> str:
    """A description as it reads in a list: "Save" as "save", "YAML" stays "YAML"."""
    if len(description) > 1 and description[1].isupper():
        return description
    return description[:1].lower() + description[1:]


def binding_entries(bindings: Iterable[BindingType]) -> list[str]:
    """``keys description`` for each action with a description (its keys joined by /)."""
    keys_of: dict[tuple[str, str], list[str]] = {}
    for _key, binding in BindingsMap(bindings).key_to_bindings.items():
        for one in binding:
            if one.description:
                keys_of.setdefault((one.action, one.description), []).append(one.key)
    return [
        f"{'/'.join(key_label(k) for k in keys)} {_said(description)}"
        for (_action, description), keys in keys_of.items()
    ]


def help_text(sections: Sequence[tuple[str, Sequence[BindingType]]]) -> str:
    """The key list: one section per title, its entries wrapped beside the title."""
    lines = [HEADING, ""]
    for title, bindings in sections:
        entries = "   ".join(e.replace(" ", "\u00a0") for e in binding_entries(bindings))
        wrapped = textwrap.wrap(entries, LINE_WIDTH - TITLE_WIDTH) or [""]
        for number, line in enumerate(wrapped):
            label = title if number == 0 else ""
            lines.append(f"{label:<{TITLE_WIDTH}}{line.replace(chr(0xA0), ' ')}".rstrip())
    return "\n".join([*lines, "", CLOSING])


class HelpScreen(ModalScreen[None]):
    """The key list; any of Esc, q or ? closes it."""

    CSS_PATH = "help.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close"),
    ]

    def __init__(self, sections: Sequence[tuple[str, Sequence[BindingType]]]) -> None:
        """``sections``: a title ("Anywhere", "Config"...) and the bindings it declares."""
        super().__init__()
        self.sections = sections

    def compose(self) -> ComposeResult:
        yield Static(help_text(self.sections), id="help", markup=False)
