"""Shell completion: scripts generated from the parser, run in a real bash."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fluxloop_runner import Runner

from fluxloop_core.cli.completion import command_specs, completion_script
from fluxloop_core.cli.main import build_parser

BASH = shutil.which("bash")


def _complete(line: str, cwd: Path) -> list[str]:
    """What bash offers for the last word of ``line`` (after sourcing our script)."""
    assert BASH is not None
    script = completion_script("bash", build_parser())
    words = line.split(" ")
    driver = (
        script
        + "\nCOMP_WORDS=("
        + " ".join(f"'{w}'" for w in words)
        + f")\nCOMP_CWORD={len(words) - 1}\n_fluxloop\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n"
    )
    env = dict(os.environ)
    # `fluxloop` on PATH is this interpreter's (the scripts call it for dynamic values).
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    out = subprocess.run(
        [BASH, "--norc", "-c", driver],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    return sorted(word for word in out.splitlines() if word)


pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")


def test_commands_subcommands_and_options(tmp_path: Path) -> None:
    assert _complete("fluxloop co", tmp_path) == ["compare", "completion", "config"]
    assert _complete("fluxloop config s", tmp_path) == ["schema", "set", "set-llm", "show"]
    assert _complete("fluxloop run experiment --re", tmp_path) == [
        "--report",
        "--rerun-failing",
        "--resume",
    ]
    assert _complete("fluxloop generate inputs --mode ", tmp_path) == ["deterministic", "llm"]
    assert _complete("fluxloop completion ", tmp_path) == ["bash", "fish", "zsh"]


def test_option_values_do_not_count_as_commands(tmp_path: Path) -> None:
    # `experiment` here is --config's value, not the `run experiment` command again.
    assert "--resume" in _complete("fluxloop run experiment --config experiment --r", tmp_path)


def test_project_names_and_experiment_folders(project: Path, fluxloop: Runner) -> None:
    workspace = project.parent.parent
    fluxloop("init", "project", "--name", "other-agent", cwd=workspace)
    assert _complete("fluxloop status check --project ", workspace) == ["my-agent", "other-agent"]
    fluxloop("run", "experiment", "--no-collector", "--quiet", cwd=project)
    folders = [p for p in (project / "experiments").iterdir() if p.is_dir()]
    expected = [os.path.relpath(p, project) for p in folders]
    assert _complete("fluxloop evaluate experiment ", project) == sorted(expected)
    assert _complete("fluxloop run experiment --resume ", project) == sorted(expected)
    assert _complete("fluxloop status traces --experiment experiments/", project) == sorted(
        expected
    )


def test_values_outside_a_project_are_empty_not_errors(tmp_path: Path, fluxloop: Runner) -> None:
    for kind in ("projects", "experiments"):
        result = fluxloop("completion", "--values", kind, cwd=tmp_path)
        assert (result.stdout, result.stderr) == ("", "")


def test_no_shell_is_exit_2(tmp_path: Path, fluxloop: Runner) -> None:
    assert "name a shell" in fluxloop("completion", cwd=tmp_path, code=2).stderr


def test_scripts_follow_the_parser() -> None:
    parser = build_parser()
    specs = command_specs(parser)
    # A command added anywhere completes without editing a script.
    extra = argparse.ArgumentParser(prog="fluxloop")
    sub = extra.add_subparsers()
    new = sub.add_parser("brand-new").add_subparsers().add_parser("thing")
    new.add_argument("--shiny-flag", choices=["a", "b"])
    for shell in ("bash", "zsh", "fish"):
        text = completion_script(shell, extra)
        assert "brand-new" in text and "thing" in text
        assert "shiny-flag" in text
    leaves = [spec for spec in specs if not spec.subcommands and spec.path]
    for shell in ("bash", "zsh", "fish"):
        text = completion_script(shell, parser)
        for spec in leaves:
            assert spec.path[-1] in text
            for option in spec.options:
                assert option.flags[-1].lstrip("-") in text


def test_zsh_uses_the_bash_script_through_bashcompinit() -> None:
    parser = build_parser()
    text = completion_script("zsh", parser)
    assert "bashcompinit" in text
    assert completion_script("bash", parser) in text


def test_bash_script_is_valid_bash() -> None:
    assert BASH is not None
    script = completion_script("bash", build_parser())
    subprocess.run([BASH, "-n"], input=script, text=True, check=True, timeout=30)
