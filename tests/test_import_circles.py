"""No import circles: a module never imports a module that imports it back, lazy or not.

The graph is read from the source (every ``import`` statement, those inside functions
too), so a circle held apart by a lazy import is still found.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# Where each package's source lives: the SDK in sdk/, the rest at the top.
SOURCE_ROOTS = {"fluxloop": ROOT / "sdk"}


def _source_root(package: str) -> Path:
    return SOURCE_ROOTS.get(package.partition(".")[0], ROOT)


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The package's own modules that ``path`` imports (submodules named in ``from`` too)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            named = {f"{base}.{alias.name}" for alias in node.names}
            found.update(named)
            # `from pkg import submodule` runs pkg/__init__ but takes nothing from it.
            if not named <= known:
                found.add(base)
    # A package's __init__ is not a circle partner of its own submodules' imports.
    return {module for module in found if module in known and module != name}


def import_graph(packages: list[str]) -> dict[str, set[str]]:
    """Module -> the modules of ``packages`` it imports anywhere in its source."""
    paths = {
        _module_name(path, _source_root(package)): path
        for package in packages
        for path in (_source_root(package) / package.replace(".", "/")).rglob("*.py")
    }
    known = set(paths)
    return {name: _imports(path, name, known) for name, path in paths.items()}


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_a_lazy_import_back_is_a_circle() -> None:
    assert circles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert circles({"a": {"b"}, "b": set()}) == []


def test_no_import_circle_anywhere() -> None:
    """The whole tool at once: a circle may run across packages (core <-> TUI, SDK)."""
    graph = import_graph(["fluxloop", "fluxloop_core", "fluxloop_tui"])
    assert {"fluxloop.spans", "fluxloop_core.runner.experiment", "fluxloop_tui.app"} <= set(graph)
    assert circles(graph) == []
