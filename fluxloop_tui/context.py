"""The app as its screens see it, declared without importing the app.

The app imports every screen (to show it), so a screen that imported the app back would
close an import circle, even under ``TYPE_CHECKING``. Screens reach the app through
:func:`fluxloop_app`, typed by :class:`AppContext`: the few attributes and methods they
use, which :class:`~fluxloop_tui.app.FluxLoopApp` fulfils (mypy checks it in app.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol, cast

from textual.dom import DOMNode
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, TextArea

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_tui.session import ExperimentSession


class AppContext(Protocol):
    """The workspace, the open project and its running experiment, shared by every screen."""

    project_dir: Path | None
    workspace: Path
    session: ExperimentSession | None

    def load_config(self) -> LoadedConfig:
        """The project's config, fresh from disk (a UserError when it is broken)."""
        ...

    def relative(self, path: Path) -> str:
        """``path`` as shown on screen: relative to the workspace, so output is stable."""
        ...

    def open_project(self, project_dir: Path) -> None:
        """Make ``project_dir`` the current project and show its experiments."""
        ...

    def start_session(self, session: ExperimentSession) -> None:
        """Run ``session``'s experiment in a worker thread; it outlives screen changes."""
        ...

    def show_runs(self, experiment: Path, input_index: int | None = None) -> None:
        """An experiment's runs (only one input's, when given) on top of this screen."""
        ...

    def action_generate(self, from_recording: Path | None = None) -> None:
        """The generation screen, seeded with a recording's calls when given."""
        ...


def fluxloop_app(node: DOMNode) -> AppContext:
    """The app a screen or widget runs in, with FluxLoop's own attributes typed."""
    return cast(AppContext, node.app)


def main_widget(screen: Screen[Any]) -> Widget | None:
    """The widget a screen's keys act on: its shown, focusable AUTO_FOCUS match that is
    not a text field; None (nothing focused) when there is none, e.g. in the raw editor."""
    if not screen.AUTO_FOCUS:
        return None
    shown = screen.focus_chain
    for widget in screen.query(screen.AUTO_FOCUS):
        if widget in shown and not isinstance(widget, Input | TextArea):
            return widget
    return None
