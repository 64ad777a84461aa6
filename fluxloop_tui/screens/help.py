"""`?`: every key, for keyboard-only use."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Static

HELP = """FluxLoop keys

  p       projects (Enter: open one)
  n       projects: new project
  e       experiments (Enter: runs of one; Enter: a run's detail)
  f       runs: failed only / all
  v       environment and status checks
  s       environment: show / hide values (secrets stay masked)
  c       environment: run the status checks again
  o       config editor (Ctrl+S save, y or F2 raw YAML, Ctrl+R revert)
  r       recording inspector (on experiments: reload)
  /       recording: filter by text; t: only this call's target
  g       recording: go to line; Enter: to the kwargs tree
  o       recording: the tree's kwarg becomes override_param_path
  G       recording: generate inputs from this recording
  i       generate inputs (Ctrl+B bases, Ctrl+G generate, Ctrl+X stop,
          Ctrl+S save to inputs/generated.yaml)
  x       run the experiment (Ctrl+S start, Ctrl+X stop, Ctrl+O results)
  Esc     back
  Ctrl+P  command palette
  ?       this help
  q       quit

Everything here is also a plain command: fluxloop status experiments,
fluxloop status traces, fluxloop config env, fluxloop status check."""


class HelpScreen(ModalScreen[None]):
    """The key list; any of Esc, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark", "app.pop_screen", "Close"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(HELP, id="help", markup=False)
