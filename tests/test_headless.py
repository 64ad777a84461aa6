"""The core and the plain CLI never need textual; `fluxloop --help` stays light."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import fluxloop_core

# Run in a fresh interpreter so modules imported by other tests don't hide an import.
BLOCK_TEXTUAL_AND_IMPORT_ALL = """
import importlib, importlib.util, pkgutil, sys

class Blocker:
    def find_spec(self, name, path=None, target=None):
        if name == "textual" or name.startswith("textual."):
            raise ImportError("textual is blocked in the headless core")
        return None

sys.meta_path.insert(0, Blocker())
sys.modules.pop("textual", None)
import fluxloop_core
names = [m.name for m in pkgutil.walk_packages(fluxloop_core.__path__, "fluxloop_core.")]
names.remove("fluxloop_core.__main__")
needs_ray = {"fluxloop_core.runner.ray_executor", "fluxloop_core.runner.ray_spec_executor"}
for name in names:
    if name in needs_ray and importlib.util.find_spec("ray") is None:
        continue  # the [ray] extra is optional; with it, these modules import too
    importlib.import_module(name)
print(len(names))
"""


def test_every_core_module_imports_with_textual_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_TEXTUAL_AND_IMPORT_ALL],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = sum(1 for _ in pkgutil.walk_packages(fluxloop_core.__path__, "fluxloop_core.")) - 1
    assert int(result.stdout.strip()) == expected


HELP_IMPORTS = """
import sys
from fluxloop_core.cli.main import main
try:
    main(["--help"])
except SystemExit:
    pass
heavy = sorted(m for m in ("textual", "openai", "pydantic", "httpx", "rich", "yaml", "ray")
               if m in sys.modules)
print("HEAVY:" + ",".join(heavy))
"""


def test_help_imports_no_heavy_module() -> None:
    result = subprocess.run(
        [sys.executable, "-c", HELP_IMPORTS], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip().splitlines()[-1] == "HEAVY:"


def test_every_subcommand_has_help_with_an_example() -> None:
    from fluxloop_core.cli.main import build_parser

    parser = build_parser()
    leaves = [
        ["init", "project"], ["init", "agent"], ["config", "show"], ["config", "validate"],
        ["config", "set-llm"], ["config", "env"], ["config", "schema"], ["generate", "inputs"],
        ["run", "experiment"], ["run", "single"], ["status", "check"],
        ["status", "experiments"], ["status", "traces"], ["tui"],
    ]  # fmt: skip
    for words in leaves:
        result = subprocess.run(
            [sys.executable, "-m", "fluxloop_core", *words, "--help"],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (words, result.stderr)
        assert "examples:" in result.stdout and f"fluxloop {words[0]}" in result.stdout
    assert parser.prog == "fluxloop"


def test_version_and_bare_command() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "--version"], capture_output=True, text=True
    )
    assert version.returncode == 0 and version.stdout.strip() == (
        f"fluxloop {fluxloop_core.__version__}"
    )
    bare = subprocess.run([sys.executable, "-m", "fluxloop_core"], capture_output=True, text=True)
    assert bare.returncode == 2 and "usage: fluxloop" in bare.stdout


LOCAL_RUN_IMPORTS = """
import sys
from pathlib import Path
from fluxloop_core.config.loader import load_config
from fluxloop_core.runner.experiment import RunOptions, run_experiment

result = run_experiment(load_config(Path(sys.argv[1])), RunOptions(use_collector=False))
print("RUNS:", result.summary.results.successful, "RAY:", "ray" in sys.modules)
"""


def test_a_local_run_does_not_import_ray(tmp_path: Path) -> None:
    (tmp_path / "agent.py").write_text("def run(text):\n    return text\n")
    config = tmp_path / "setting.yaml"
    config.write_text('name: light\nrunner:\n  target: "agent:run"\nbase_inputs: ["a"]\n')

    result = subprocess.run(
        [sys.executable, "-c", LOCAL_RUN_IMPORTS, str(config)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "RUNS: 1 RAY: False"
