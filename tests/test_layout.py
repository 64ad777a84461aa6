"""The tests mirror the packages: the test of ``fluxloop_core/x/y.py`` is
``tests/core/x/test_y.py``, so a module's tests are found without searching.

A module tested from several angles may have several files, ``test_y_<aspect>.py``: the
name is read as the longest ``y`` (cut at an underscore) that is a module or a package.
Tests of the whole tool (journeys, guards) live at the top of ``tests/``.
"""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE_TESTS = ROOT / "tests" / "core"
CORE = ROOT / "fluxloop_core"


def mirrored_source(test_module: Path, tests_root: Path, source_root: Path) -> Path | None:
    """The module or package of ``source_root`` that ``test_module`` tests, or None."""
    folder = source_root.joinpath(*test_module.parent.relative_to(tests_root).parts)
    words = test_module.stem.removeprefix("test_").split("_")
    for count in range(len(words), 0, -1):
        name = "_".join(words[:count])
        for candidate in (folder / f"{name}.py", folder / name):
            if candidate.is_file() or (candidate / "__init__.py").is_file():
                return candidate
    return None


def test_every_core_test_module_mirrors_a_source_module() -> None:
    test_modules = sorted(CORE_TESTS.rglob("test_*.py"))
    assert test_modules, CORE_TESTS
    strays = [
        str(path.relative_to(ROOT))
        for path in test_modules
        if mirrored_source(path, CORE_TESTS, CORE) is None
    ]
    assert strays == [], f"no fluxloop_core module mirrors {strays}; move or rename them"


def test_a_test_named_after_no_module_is_a_stray(tmp_path: Path) -> None:
    source = tmp_path / "pkg"
    (source / "runner").mkdir(parents=True)
    (source / "runner" / "plan.py").write_text("")
    (source / "config").mkdir()
    (source / "config" / "__init__.py").write_text("")
    tests = tmp_path / "tests"
    plan = source / "runner" / "plan.py"
    assert mirrored_source(tests / "runner" / "test_plan.py", tests, source) == plan
    assert mirrored_source(tests / "runner" / "test_plan_order.py", tests, source) == plan
    assert mirrored_source(tests / "test_config.py", tests, source) == source / "config"
    assert mirrored_source(tests / "test_plan.py", tests, source) is None
    assert mirrored_source(tests / "runner" / "test_planner.py", tests, source) is None
    assert mirrored_source(tests / "runner" / "test_end_to_end.py", tests, source) is None
