"""One recorded call's kwargs as a tree, or why its line is not a valid call.

Each node's data is the kwarg's dot path (``data.messages.0.content``): the value
``replay_args.override_param_path`` takes when the user picks it.
"""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from fluxloop_core.recording import RecordingProblem, callable_marker
from fluxloop_core.recording_browse import Item

VALUE_SHOWN = 200  # characters of a long string shown in the tree
EXPANDED_DEPTH = 4  # tree levels open when a call is shown


class KwargsTree(Tree[str]):
    """The kwargs of the selected call; a callable marker shows its provider, if any."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("kwargs", id=id, data="")
        self.providers: dict[str, str] = {}  # replay_args.callable_providers

    def show_item(self, line: int | None, item: Item, raw: bytes = b"") -> None:
        """The tree of line ``line`` (0-based): kwargs of a call, or why the line is invalid
        (``raw``, the line as read, is shown under the problem)."""
        if line is None:
            self.reset("no call selected", data="")
            return
        if item is None:
            self.reset(f"line {line + 1}: blank", data="")
            return
        if isinstance(item, RecordingProblem):
            self.reset(Text(f"line {line + 1}: not a valid call", style="bold red"), data="")
            self.root.add_leaf(Text(item.message), data="")
            text = raw.decode("utf-8", "replace")
            self.root.add_leaf(Text(_shorten(text), style="dim"), data="")
            self.root.expand()
            return
        self.reset(
            Text.assemble(
                (f"line {line + 1}", "bold"), f"  iteration {item.iteration}  {item.target}"
            ),
            data="",
        )
        for key, value in item.kwargs.items():
            self._add_value(self.root, key, value, key, 1)
        self.root.expand()

    def _add_value(
        self, parent: TreeNode[str], key: str, value: Any, path: str, depth: int
    ) -> None:
        """``key: value`` under ``parent``; dicts and lists as branches (data: the dot path)."""
        children: list[tuple[str, Any]] | None = None
        if isinstance(value, dict):
            children = [(str(k), v) for k, v in value.items()]
            label = Text.assemble((key, "bold"), f" {{{len(value)}}}")
        elif isinstance(value, list):
            children = [(str(i), v) for i, v in enumerate(value)]
            label = Text.assemble((key, "bold"), f" [{len(value)}]")
        if children is None:
            parent.add_leaf(self._leaf_label(key, value), data=path)
            return
        node = parent.add(label, data=path, expand=depth < EXPANDED_DEPTH)
        for child_key, child in children:
            self._add_value(node, child_key, child, f"{path}.{child_key}", depth + 1)

    def _leaf_label(self, key: str, value: Any) -> Text:
        """``key: value``; a callable marker also shows its provider (or a red "no provider")."""
        label = Text.assemble((key, "bold"), ": ", _shorten(json.dumps(value, ensure_ascii=False)))
        if callable_marker(value) is not None:
            provider = self.providers.get(key)
            if provider:
                label.append(f"  → {provider}", style="green")
            else:
                label.append("  no provider", style="bold red")
        return label


def _shorten(text: str) -> str:
    return text if len(text) <= VALUE_SHOWN else text[: VALUE_SHOWN - 1] + "…"
