"""The raw YAML editor of the config screen."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import TextArea


class YamlEditor(TextArea):
    """The raw editor: Tab indents, and Esc leaves it like any field (the app's rule),
    where a code editor would keep the focus and take the app's keys as text."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.leave_field", "Leave the editor", show=False, priority=True)
    ]
