"""`?`: every key, for keyboard-only use."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """FluxLoop keys (Ctrl+P finds every action by name)

Anywhere      p projects   e experiments   v environment   o config
              r recording  i generate inputs   x run   ? help   q quit
Projects      n new project, Enter open
Experiments   Enter runs, f failed only, Enter detail, Ctrl+R reload
Environment   s show/hide values (secrets stay masked), c checks
Config        Ctrl+S save, y or F2 raw YAML, Ctrl+R revert
Recording     / filter, t this target, g go to line, Enter kwargs tree,
              s kwarg becomes override_param_path, G generate from it
Generate      Ctrl+B bases, Ctrl+G generate, Ctrl+X stop, Ctrl+S save
Run           Ctrl+S start, Ctrl+X stop (asks first), Ctrl+O results
Esc           back; out of a field or the raw YAML editor (Tab: back in)

Every screen is a plain command too: fluxloop init, config,
generate inputs, run experiment, status, config env."""


class HelpScreen(ModalScreen[None]):
    """The key list; any of Esc, q or ? closes it."""

    CSS_PATH = "help.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help", markup=False)
