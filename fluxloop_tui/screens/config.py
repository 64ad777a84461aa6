"""The config editor: setting.yaml as a form or as raw YAML, watched for outside edits."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Button,
    ContentSwitcher,
    Footer,
    Header,
    Input,
    Label,
    Select,
    Static,
    TextArea,
)

from fluxloop_core.config.edit import apply_changes, update_config_values
from fluxloop_core.config.form import (
    FIELDS,
    SECTIONS,
    FormData,
    FormField,
    check_form,
    form_changes,
    form_data,
)
from fluxloop_core.config.layout import is_legacy_config_file
from fluxloop_core.config.loader import read_config_text
from fluxloop_core.config.project import find_project
from fluxloop_core.counts import counted
from fluxloop_core.errors import ConfigError, UserError
from fluxloop_core.files import write_atomic
from fluxloop_core.preflight import text_problems
from fluxloop_tui.context import fluxloop_app
from fluxloop_tui.watcher import FileWatcher
from fluxloop_tui.widgets.yaml_editor import YamlEditor


def _widget_id(key: str) -> str:
    return "field-" + key.replace(".", "--")


def _problem_id(key: str) -> str:
    return "problem-" + key.replace(".", "--")


def problem_line(problem: UserError) -> str:
    """``line N: key: message`` (without the file, which the title names)."""
    where = f"line {problem.line}: " if problem.line is not None else ""
    key = f"{problem.key}: " if problem.key else ""
    return f"{where}{key}{problem.message}"


class ConfigScreen(Screen[None]):
    """setting.yaml as a form (checked as you type) or raw YAML (`y`); Ctrl+S saves."""

    CSS_PATH = "config.tcss"

    AUTO_FOCUS = "#form"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("y", "toggle_raw", "Raw YAML / form", show=False),
        Binding("f2", "toggle_raw", "Raw YAML / form", priority=True),
        Binding("ctrl+r", "revert", "Revert", priority=True),
    ]

    class FileChanged(Message):
        """The watcher saw the file change (posted from its thread)."""

    def __init__(self) -> None:
        super().__init__()
        self.path: Path | None = None
        self.disk_text = ""
        self.initial: dict[str, str] = {}
        self.raw_mode = False
        self.conflict_open = False
        self.watcher: FileWatcher | None = None

    # Layout

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Config", classes="title", id="config-title", markup=False)
        with ContentSwitcher(initial="form", id="config-views"):
            with VerticalScroll(id="form"):
                for section in SECTIONS:
                    yield Static(section.title, classes="section")
                    for field in section.fields:
                        yield from self._field_row(field)
                    if section.title == "replay_args":
                        yield Static("", id="callable-providers", classes="readonly", markup=False)
                    if section.title == "inputs":
                        yield Static("", id="base-inputs", classes="readonly", markup=False)
                    if section.title == "evaluation":
                        yield Static("", id="evaluation-checks", classes="readonly", markup=False)
            with Vertical(id="raw"):
                yield YamlEditor.code_editor("", id="raw-text")
                yield Static("", id="raw-problems", markup=False)
        yield Static("", id="config-status", markup=False)
        yield Footer()

    def _field_row(self, field: FormField) -> ComposeResult:
        with Horizontal(classes="field"):
            yield Label(field.label, classes="field-label")
            if field.kind in ("bool", "choice"):
                options = ("true", "false") if field.kind == "bool" else field.choices
                yield Select(
                    [(o, o) for o in options],
                    # An optional choice (runner.protocol) may be left unset: its default.
                    allow_blank=field.optional,
                    compact=True,
                    id=_widget_id(field.key),
                )
            else:
                yield Input(
                    compact=True,
                    placeholder=field.description[:60] if field.optional else "",
                    id=_widget_id(field.key),
                    tooltip=field.description or None,
                )
        yield Static("", classes="field-problem", id=_problem_id(field.key), markup=False)

    def on_mount(self) -> None:
        app = fluxloop_app(self)
        try:
            if app.project_dir is None:
                raise UserError("no project is open", hint="Open one on the projects screen (p).")
            path = find_project(str(app.project_dir)).config_path
            if is_legacy_config_file(path):
                # Its keys are not setting.yaml's: the form would flag every one of them.
                raise UserError(
                    f"{app.relative(path)} belongs to a fluxloop-cli 0.2.x project; this "
                    "editor edits setting.yaml",
                    hint="Run `fluxloop config migrate` in the project to write one "
                    "(runs, status and results read the 0.2.x files as they are).",
                )
            self.path = path
            text = read_config_text(self.path)
        except UserError as error:
            self.query_one("#config-status", Static).update(error.render())
            self.notify(error.render(), severity="error")
            return
        self.query_one("#config-title", Static).update(f"Config — {app.relative(self.path)}")
        self.load_text(text)
        self.watcher = FileWatcher(self.path, self._report_change)
        self.watcher.start()

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop()
            self.watcher = None

    # State

    def load_text(self, text: str) -> None:
        """Show ``text`` (the file as on disk) in both views; nothing unsaved afterwards."""
        self.disk_text = text
        self.query_one("#raw-text", TextArea).load_text(text)
        try:
            data = form_data(text, self._path())
        except ConfigError as error:
            # Broken YAML: only the raw view can fix it.
            self.initial = {}
            self.query_one("#form").disabled = True
            self.show_raw_problems([error], jump=True)
            self._switch(raw=True)
            return
        self.query_one("#form").disabled = False
        self.fill_form(data)
        self.show_raw_problems(text_problems(text, self._path()))

    def fill_form(self, data: FormData) -> None:
        """Put the file's values in the form and check them."""
        self.initial = dict(data.values)
        with self.prevent(Input.Changed, Select.Changed):
            for key, text in data.values.items():
                widget = self.query_one(f"#{_widget_id(key)}")
                if isinstance(widget, Select) and not text:
                    widget.value = Select.NULL
                elif isinstance(widget, Select | Input):
                    widget.value = text
        count = data.base_inputs
        self.query_one("#base-inputs", Static).update(
            f"base_inputs: {counted(count, 'input')} (edit them in the raw YAML)"
        )
        self.query_one("#evaluation-checks", Static).update(
            f"{data.checks} (edit them in the raw YAML)"
        )
        providers = data.callable_providers
        self.query_one("#callable-providers", Static).update(
            "callable_providers: "
            + (", ".join(f"{k} → {v}" for k, v in providers.items()) or "none")
        )
        self.check()

    def form_values(self) -> dict[str, str]:
        """The text of every form field as it is now."""
        values: dict[str, str] = {}
        for key in FIELDS:
            widget = self.query_one(f"#{_widget_id(key)}")
            if isinstance(widget, Select):
                values[key] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[key] = widget.value
        return values

    def form_changes(self) -> dict[str, Any]:
        """Dotted key -> value of the fields changed since the file was loaded."""
        if not self.initial:
            return {}
        return form_changes(self.initial, self.form_values())

    @property
    def raw_buffer(self) -> str:
        return self.query_one("#raw-text", TextArea).text

    @property
    def unsaved(self) -> bool:
        """Form changes, or raw text that differs from the file."""
        return bool(self.form_changes()) or self.raw_buffer != self.disk_text

    def _path(self) -> Path:
        assert self.path is not None
        return self.path

    # Checking

    def check(self) -> bool:
        """Validate the form's changes; show each problem beside its field."""
        if self.path is None or not self.initial:
            return False
        changes = self.form_changes()
        result = check_form(self.disk_text, self.path, changes)
        for key in FIELDS:
            problem = self.query_one(f"#{_problem_id(key)}", Static)
            message = result.by_field.get(key, "")
            problem.update(f"  ↳ {message}" if message else "")
            problem.display = bool(message)
        status = [problem_line(p) for p in result.other]
        if changes:
            status.insert(0, f"{counted(len(changes), 'unsaved change')}")
        self.query_one("#config-status", Static).update("  ".join(status))
        return result.ok

    def show_raw_problems(self, problems: list[UserError], *, jump: bool = False) -> None:
        """List the raw text's problems by line; optionally move the cursor to the first."""
        text = "\n".join(problem_line(p) for p in problems) or "valid"
        self.query_one("#raw-problems", Static).update(text)
        self.set_class(bool(problems), "-raw-invalid")
        if jump and problems and problems[0].line is not None:
            area = self.query_one("#raw-text", TextArea)
            area.cursor_location = (problems[0].line - 1, 0)
            area.scroll_cursor_visible()

    def check_raw(self, *, jump: bool = False) -> bool:
        """Validate the raw buffer as the file's contents."""
        if self.path is None:
            return False
        problems = text_problems(self.raw_buffer, self.path)
        self.show_raw_problems(problems, jump=jump)
        dirty = self.raw_buffer != self.disk_text
        self.query_one("#config-status", Static).update("unsaved YAML edits" if dirty else "")
        return not problems

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.check()

    def on_select_changed(self, _event: Select.Changed) -> None:
        self.check()

    def on_text_area_changed(self, _event: TextArea.Changed) -> None:
        if self.raw_mode:
            self.check_raw()

    # Actions

    def _switch(self, *, raw: bool) -> None:
        self.raw_mode = raw
        self.query_one(ContentSwitcher).current = "raw" if raw else "form"
        if raw:
            self.query_one("#raw-text", TextArea).focus()
        else:
            self.query_one("#form").focus()

    def action_toggle_raw(self) -> None:
        """Form -> raw carries the form's unsaved changes into the text; raw -> form needs
        the text saved (or reverted) first, since not every YAML edit fits the form."""
        if self.path is None:
            return
        if self.raw_mode:
            if self.raw_buffer != self.disk_text:
                self.notify(
                    "The YAML has unsaved edits: save them (Ctrl+S) or revert (Ctrl+R) first.",
                    severity="warning",
                )
                return
            if self.query_one("#form").disabled:
                self.notify("The file is not valid YAML yet: fix it here first.")
                return
            self._switch(raw=False)
            self.check()
            return
        changes = self.form_changes()
        if changes:
            try:
                text = apply_changes(self.disk_text, changes, self.path)
            except ConfigError as error:
                self.notify(error.render(), severity="error")
                return
            self.query_one("#raw-text", TextArea).load_text(text)
            self.fill_form(form_data(self.disk_text, self.path))
        self._switch(raw=True)
        self.check_raw(jump=True)

    def action_save(self) -> None:
        """Write the changed keys (form) or the whole text (raw), only when valid."""
        if self.path is None:
            return
        if self.raw_mode:
            self.save_raw()
        else:
            self.save_form()

    def save_form(self) -> None:
        """Write only the changed keys, through update_config_values (comments survive)."""
        path = self._path()
        changes = self.form_changes()
        if not changes:
            self.notify("Nothing to save.")
            return
        if not self.check():
            self.notify("Not saved: fix the marked fields first.", severity="error")
            return
        try:
            update_config_values(path, changes)
            text = read_config_text(path)
        except UserError as error:
            self.notify(error.render(), severity="error")
            return
        self.load_text(text)
        count = len(changes)
        self.notify(f"Saved {counted(count, 'change')} to {path.name}.")

    def save_raw(self) -> None:
        """Write the buffer atomically when it is a valid config; else show where it is not."""
        path = self._path()
        if not self.check_raw(jump=True):
            self.notify("Not saved: the YAML has problems (listed below it).", severity="error")
            return
        text = self.raw_buffer
        write_atomic(path, text)
        self.load_text(text)
        self.check_raw()
        self.notify(f"Saved {path.name}.")

    def action_revert(self) -> None:
        """Drop unsaved changes: read the file again."""
        if self.path is None:
            return
        self.reload_from_disk()
        self.notify("Reverted to the file on disk.")

    def reload_from_disk(self) -> bool:
        """Read the file and show it; False (with a notice) when it cannot be read."""
        try:
            text = read_config_text(self._path())
        except UserError as error:
            self.notify(error.render(), severity="error")
            return False
        self.load_text(text)
        if self.raw_mode:
            self.check_raw()
        return True

    # Outside edits

    def _report_change(self) -> None:
        # Runs in the watcher thread: post_message is thread-safe.
        self.post_message(self.FileChanged())

    def on_config_screen_file_changed(self, _message: FileChanged) -> None:
        if self.path is None or self.conflict_open:
            return
        try:
            text = read_config_text(self.path)
        except UserError:
            return  # removed or mid-replace; a later event brings the new file
        if text == self.disk_text:
            return  # our own save, or no real change
        if not self.unsaved:
            self.reload_from_disk()
            self.notify(f"{self.path.name} changed on disk: reloaded.")
            return
        self.conflict_open = True
        self.app.push_screen(ConflictScreen(self.path.name), self._resolve_conflict)

    def _resolve_conflict(self, reload: bool | None) -> None:
        self.conflict_open = False
        if reload:
            self.reload_from_disk()
            self.notify("Reloaded the file from disk; your changes were dropped.")
            return
        # Keep mine: saving applies my changed keys (form) or my text (raw) over theirs.
        with contextlib.suppress(UserError):
            self.disk_text = read_config_text(self._path())
        if self.raw_mode:
            self.check_raw()
        else:
            self.check()
        self.notify("Kept your changes; saving writes them over the file on disk.")


class ConflictScreen(ModalScreen[bool]):
    """The file changed on disk while there are unsaved changes: keep mine or reload?"""

    CSS_PATH = "config.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("k,escape", "keep", "Keep mine"),
        Binding("r", "reload", "Reload theirs"),
    ]

    def __init__(self, name: str) -> None:
        super().__init__()
        self.file_name = name

    def compose(self) -> ComposeResult:
        with Vertical(id="conflict"):
            yield Static("Changed on disk", classes="title")
            yield Static(
                f"{self.file_name} was changed outside the editor, and you have unsaved changes.",
                markup=False,
            )
            with Horizontal(id="conflict-buttons"):
                yield Button("Keep mine (k)", id="keep", variant="primary")
                yield Button("Reload theirs (r)", id="reload")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "reload")

    def action_keep(self) -> None:
        """Keep the editor's changes."""
        self.dismiss(False)

    def action_reload(self) -> None:
        """Drop the editor's changes and show the file from disk."""
        self.dismiss(True)
