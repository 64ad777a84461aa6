"""One version source: the pyproject files, read back from the installed metadata."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess
import sys
from pathlib import Path

import fluxloop

import fluxloop_core

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = [ROOT / "sdk" / "fluxloop", ROOT / "fluxloop_core", ROOT / "fluxloop_tui"]


def test_no_python_file_writes_a_version() -> None:
    written = re.compile(r"""^\s*__version__\s*[:=]|^\s*VERSION\s*=\s*["']\d""", re.MULTILINE)
    found = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in package.rglob("*.py")
        if written.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_versions_are_the_installed_metadata() -> None:
    assert fluxloop_core.__version__ == importlib.metadata.version("fluxloop-workbench")
    providers = importlib.metadata.packages_distributions()["fluxloop"]
    assert fluxloop.__version__ in {importlib.metadata.version(name) for name in providers}
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "--version"], capture_output=True, text=True
    )
    assert result.stdout == f"fluxloop {fluxloop_core.__version__}\n"


def _isolated(folder: Path, code: str) -> str:
    """Run ``code`` with only ``folder`` to import from (no site-packages, no checkout)."""
    result = subprocess.run(
        [sys.executable, "-S", "-I", "-c", f"import sys; sys.path[:0] = [{str(folder)!r}]; {code}"],
        capture_output=True,
        text=True,
        cwd=folder,
        check=True,
    )
    return result.stdout.strip()


def test_the_sdk_installed_alone_reads_its_own_distribution(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "sdk" / "fluxloop", tmp_path / "fluxloop")
    info = tmp_path / "fluxloop-9.8.7.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fluxloop\nVersion: 9.8.7\n")
    assert _isolated(tmp_path, "import fluxloop; print(fluxloop.__version__)") == "9.8.7"


def test_never_installed_sources_say_so(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "sdk" / "fluxloop", tmp_path / "fluxloop")
    (tmp_path / "fluxloop_core").mkdir()
    shutil.copy(ROOT / "fluxloop_core" / "__init__.py", tmp_path / "fluxloop_core")
    code = "import fluxloop, fluxloop_core; print(fluxloop.__version__, fluxloop_core.__version__)"
    assert _isolated(tmp_path, code) == "0+unknown 0+unknown"
