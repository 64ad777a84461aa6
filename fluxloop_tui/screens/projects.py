"""The workspace's projects, and a modal that creates one like `fluxloop init project`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from fluxloop_core.errors import UserError
from fluxloop_core.scaffold import TEMPLATES, create_project, validate_project_name
from fluxloop_core.workspace import ProjectInfo, list_projects
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.widgets.table import Table


class ProjectsScreen(Screen[None]):
    """Projects under ``fluxloop/``: Enter opens one, `n` creates one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("n", "new", "New project")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Projects", classes="title")
        yield Table(id="projects")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one(Table).set_columns(("project", "target", "last experiment", "success"))
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        self.app.call_from_thread(self.show, list_projects(fluxloop_app(self).workspace))

    def show(self, projects: list[ProjectInfo]) -> None:
        """Fill the table."""
        table = self.query_one(Table)
        table.clear()
        for info in projects:
            last = info.last_experiment
            summary = last.summary if last else None
            row = (
                info.name,
                info.target or f"(config problem) {info.problem or ''}"[:50],
                last.path.name if last else "none yet",
                f"{summary.results.success_rate:.1%}" if summary else "-",
            )
            table.add_values(row, key=str(info.dir))
        if not projects:
            self.notify("No projects here yet: press n to create one.")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            fluxloop_app(self).open_project(Path(event.row_key.value))

    def action_new(self) -> None:
        """Ask for a name and a template, then scaffold the project."""

        def created(project: Path | None) -> None:
            if project is not None:
                self.notify(f"Created {fluxloop_app(self).relative(project)}")
                self.load()

        self.app.push_screen(NewProjectScreen(), created)


class NewProjectScreen(ModalScreen[Path | None]):
    """Name (checked as you type) and template; Enter creates, Esc cancels."""

    CSS_PATH = "projects.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="new-project"):
            yield Static("New project", classes="title")
            yield Input(placeholder="name, e.g. my-agent", id="name")
            yield Select(
                [(t, t) for t in TEMPLATES], value=TEMPLATES[0], allow_blank=False, id="template"
            )
            yield Static("", id="problem", markup=False)

    def on_input_changed(self, event: Input.Changed) -> None:
        problem = validate_project_name(event.value) if event.value else None
        self.query_one("#problem", Static).update(problem or "")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        problem = validate_project_name(name)
        if problem:
            self.query_one("#problem", Static).update(problem)
            return
        template = str(self.query_one("#template", Select).value)
        try:
            project = create_project(fluxloop_app(self).workspace, name, template=template)
        except UserError as error:
            self.query_one("#problem", Static).update(error.render())
            return
        self.dismiss(project)

    def action_cancel(self) -> None:
        """Close without creating anything."""
        self.dismiss(None)
