"""The full-screen app: a thin skin over fluxloop_core (`fluxloop tui`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.actions import SkipAction
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, TextArea

from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.project import open_config
from fluxloop_core.errors import ProjectNotFoundError
from fluxloop_core.redaction import redact
from fluxloop_tui.context import AppContext, main_widget
from fluxloop_tui.screens.config import ConfigScreen
from fluxloop_tui.screens.environment import EnvironmentScreen
from fluxloop_tui.screens.evaluation import EvaluationScreen
from fluxloop_tui.screens.experiments import ExperimentsScreen, RunsScreen
from fluxloop_tui.screens.generate import GenerateScreen
from fluxloop_tui.screens.help import HelpScreen
from fluxloop_tui.screens.projects import ProjectsScreen
from fluxloop_tui.screens.recording import RecordingScreen
from fluxloop_tui.screens.run import RunScreen
from fluxloop_tui.session import ExperimentSession

# The top-level screens in the command palette: title, what it is for, action_show name.
PALETTE_SCREENS: tuple[tuple[str, str, str], ...] = (
    ("Projects", "The workspace's projects; create one", "projects"),
    ("Experiments", "Past experiments, their runs and details", "experiments"),
    ("Environment and status", "Variables, their sources, and status checks", "environment"),
    ("Config editor", "Edit setting.yaml as a form or raw YAML", "config"),
    ("Recording inspector", "A recording's calls and kwargs; pick the override path", "recording"),
    ("Generate inputs", "Variations of the bases: preview, generate, save", "generate"),
    ("Run experiment", "Start the experiment; live progress; stop keeps results", "run"),
)


# The top-level screens by the name action_show takes.
SCREENS: dict[str, type[Screen[None]]] = {
    "projects": ProjectsScreen,
    "experiments": ExperimentsScreen,
    "environment": EnvironmentScreen,
    "recording": RecordingScreen,
    "config": ConfigScreen,
    "generate": GenerateScreen,
    "run": RunScreen,
}


class FluxLoopApp(App[None]):
    """Browse a project's experiments and check its environment, keyboard only."""

    TITLE = "FluxLoop"
    CSS_PATH = "app.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("p", "show('projects')", "Projects"),
        Binding("e", "show('experiments')", "Experiments"),
        Binding("v", "show('environment')", "Environment"),
        Binding("r", "show('recording')", "Recording"),
        Binding("o", "show('config')", "Config"),
        Binding("i", "generate", "Inputs"),
        Binding("x", "show('run')", "Run"),
        Binding("question_mark", "help", "Help"),
        Binding("q", "quit", "Quit"),
        Binding("escape", "leave_field", "Leave the field", show=False),
    ]

    def __init__(self, project_dir: Path | None, workspace: Path, *, ansi: bool = False) -> None:
        """``ansi``: draw with the terminal's own 16 colours (for terminals without more)."""
        super().__init__()
        self.project_dir = project_dir
        self.workspace = workspace
        self.ansi = ansi
        self.session: ExperimentSession | None = None

    def load_config(self) -> LoadedConfig:
        """The project's config, fresh from disk (a UserError when it is broken)."""
        if self.project_dir is None:
            raise ProjectNotFoundError(
                "no project is open", hint="Open one on the projects screen (p)."
            )
        return open_config(project=str(self.project_dir))

    def open_project(self, project_dir: Path) -> None:
        """Make ``project_dir`` the current project and show its experiments."""
        self.project_dir = project_dir
        self.sub_title = self.relative(project_dir)
        self.action_show("experiments")

    def relative(self, path: Path) -> str:
        """``path`` as shown on screen: relative to the workspace, so output is stable."""
        try:
            return str(path.relative_to(self.workspace))
        except ValueError:
            return str(path)

    def on_mount(self) -> None:
        if self.ansi:
            self.theme = "ansi-dark"
        if self.project_dir is None:
            self.action_show("projects")
        else:
            self.open_project(self.project_dir)

    def action_show(self, name: str) -> None:
        """Switch to a top-level screen."""
        self._switch_to(SCREENS[name]())  # an unknown name fails before any screen goes

    def show_runs(self, experiment: Path, input_index: int | None = None) -> None:
        """An experiment's runs (only one input's, when given) on top of this screen."""
        self.push_screen(RunsScreen(experiment, input_index))

    def action_generate(self, from_recording: Path | None = None) -> None:
        """The generation screen, seeded with a recording's calls when given."""
        self._switch_to(GenerateScreen(from_recording))

    def _switch_to(self, screen: Screen[None]) -> None:
        """``screen`` as the one top-level screen (what was open on top of another goes)."""
        while len(self.screen_stack) > 1:
            self.pop_screen()
        self.push_screen(screen)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification of every screen, redacted (it may quote a config value)."""
        super().notify(
            redact(message), title=title, severity=severity, timeout=timeout, markup=markup
        )

    def start_session(self, session: ExperimentSession) -> None:
        """Run ``session``'s experiment in a worker thread; it outlives screen changes."""
        self.session = session
        self.run_worker(session.run, thread=True, group="experiment", name="experiment")

    async def action_quit(self) -> None:
        """Quit; a running experiment is stopped at once (finished runs are on disk)."""
        if self.session is not None and self.session.running:
            self.session.stop()
            self.session.stop()
        await super().action_quit()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every screen and action in the command palette, beside Textual's own."""
        yield from super().get_system_commands(screen)
        for title, description, name in PALETTE_SCREENS:
            yield SystemCommand(title, description, partial(self.action_show, name))
        yield SystemCommand("Help", "Every key", self.action_help)
        yield from self._screen_commands(screen)

    def _screen_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """The current screen's own actions (start, stop, save, filter...), by their keys."""
        title = type(screen).__name__.removesuffix("Screen")
        for active in screen.active_bindings.values():
            binding, namespace = active.binding, active.node
            if not isinstance(namespace, Screen) or not binding.show or not binding.description:
                continue
            yield SystemCommand(
                f"{title}: {binding.description}",
                f"On this screen: key {self.get_key_display(binding)}",
                partial(self.run_action, binding.action, namespace),
            )

    def action_leave_field(self) -> None:
        """Esc in a text field or editor: focus goes back to the screen's main widget, so
        single-letter keys (`e`, `x`, `?`...) act again instead of being typed.

        In a dialog, or outside a field, Esc keeps its usual meaning (close, back).
        """
        screen = self.screen
        if isinstance(screen, ModalScreen) or not isinstance(self.focused, Input | TextArea):
            raise SkipAction()
        screen.set_focus(main_widget(screen))

    def action_help(self) -> None:
        """Show every key binding, read from the app's and the screens' declarations."""
        sections: list[tuple[str, Sequence[BindingType]]] = [("Anywhere", self.BINDINGS)]
        for name, screen in SCREENS.items():
            sections.append((name.capitalize(), screen.BINDINGS))
            if screen is ExperimentsScreen:
                # Opened from an experiment rather than by a key of the app's.
                sections.append(("Runs", RunsScreen.BINDINGS))
                sections.append(("Evaluation", EvaluationScreen.BINDINGS))
        self.push_screen(HelpScreen(sections))


if TYPE_CHECKING:
    # The screens see the app as an AppContext (they may not import it): mypy checks here
    # that the app is one.
    _APP_IS_A_CONTEXT: type[AppContext] = FluxLoopApp
