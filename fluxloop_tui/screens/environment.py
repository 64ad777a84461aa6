"""The project's variables (where each comes from) and the `status check` lines."""

from __future__ import annotations

from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from fluxloop_core.env_report import env_report
from fluxloop_core.errors import UserError
from fluxloop_core.status import Check, run_checks
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.widgets.table import Table


class EnvironmentScreen(Screen[None]):
    """Variables with their source; `s` reveals values (secrets stay masked)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "toggle_values", "Show values"),
        Binding("c", "check", "Run checks"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_values = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Environment", classes="title")
        yield Table(id="variables")
        yield Static("Status", classes="title")
        yield Table(id="checks")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#variables", Table).set_columns(("variable", "source", "value"))
        self.query_one("#checks", Table).set_columns(("", "check", "result"))
        self.fill_variables()
        self.action_check()

    def fill_variables(self) -> None:
        """The rows of `fluxloop config env` (values hidden unless revealed)."""
        table = self.query_one("#variables", Table)
        table.clear()
        try:
            env = fluxloop_app(self).load_config().env
        except UserError as error:
            self.app.notify(error.render(), severity="error")
            return
        for row in env_report(env, show_values=self.show_values):
            table.add_values((row.name, row.source, row.value))

    def action_toggle_values(self) -> None:
        """Reveal or hide values; secrets show only their last 4 characters."""
        self.show_values = not self.show_values
        self.fill_variables()

    def action_check(self) -> None:
        """Run `status check` in the background (it imports the target, may reach a collector)."""
        self.run_checks()

    @work(thread=True, exclusive=True)
    def run_checks(self) -> None:
        try:
            checks = run_checks(fluxloop_app(self).load_config())
        except UserError as error:
            checks = [Check("config", "fail", error.render())]
        self.app.call_from_thread(self.show_checks, checks)

    def show_checks(self, checks: list[Check]) -> None:
        """Fill the checks table."""
        workspace = str(fluxloop_app(self).workspace) + "/"
        table = self.query_one("#checks", Table)
        table.clear()
        for check in checks:
            table.add_values((check.level, check.name, check.message.replace(workspace, "")))
