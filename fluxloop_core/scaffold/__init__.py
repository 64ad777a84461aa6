"""Create projects and agents: what ``fluxloop init`` and the TUI's "new project" do.

A project is ``WORKSPACE/fluxloop/NAME/``; ``WORKSPACE/fluxloop/.env`` is shared by every
project of the workspace. Files are written atomically; an existing project is only
overwritten with ``force``, and even then .env files (which hold keys) are never replaced.
"""

from __future__ import annotations

import json
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

from fluxloop_core.config.layout import CONFIG_FILE_NAME, WORKSPACE_DIR_NAME, find_workspace
from fluxloop_core.errors import UsageError
from fluxloop_core.files import PLAIN_FILE_MODE, SECRET_FILE_MODE, write_atomic
from fluxloop_core.scaffold import templates

TEMPLATES: tuple[str, ...] = ("simple", "replay")
"""Agent templates: ``simple`` (Mode 1, a string in, a string out) and ``replay`` (Mode 2,
an async handler that records its arguments with ``fluxloop.record_call_args``)."""

PROJECT_DIRS: tuple[str, ...] = ("examples", "experiments", "inputs", "recordings")
SAMPLE_AGENT = "simple_agent"

_PROJECT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_MAX_NAME = 64


@dataclass(frozen=True)
class _File:
    path: Path
    text: str
    keep_existing: bool  # .env files hold keys: never replaced, even with force

    @property
    def mode(self) -> int:
        """Owner-only for .env files (they will hold keys), readable otherwise."""
        return SECRET_FILE_MODE if self.path.name == ".env" else PLAIN_FILE_MODE


def validate_project_name(name: str) -> str | None:
    """Why ``name`` cannot be a project name, or None when it can."""
    if not name or not name.strip():
        return "the project name is empty"
    if "/" in name or "\\" in name:
        return f"project name {name!r} contains a path separator"
    if ".." in name:
        return f"project name {name!r} contains '..'"
    if len(name) > _MAX_NAME:
        return f"project name {name!r} is longer than {_MAX_NAME} characters"
    if not _PROJECT_NAME.match(name):
        return (
            f"project name {name!r} must start with a letter or digit and use only "
            "letters, digits, '-', '_' and '.'"
        )
    return None


def validate_agent_name(name: str) -> str | None:
    """Why ``name`` cannot be an agent module name, or None when it can."""
    if not name.isidentifier() or not name.isascii():
        return f"agent name {name!r} is not a Python identifier (letters, digits and _)"
    if keyword.iskeyword(name):
        return f"agent name {name!r} is a Python keyword"
    return None


def _check_template(template: str) -> None:
    if template not in TEMPLATES:
        raise UsageError(
            f"unknown template {template!r}",
            key="template",
            hint=f"Use one of: {', '.join(TEMPLATES)}.",
        )


def _agent_text(name: str, template: str) -> str:
    if template == "replay":
        return templates.REPLAY_AGENT.format(name=name)
    description = (
        "Sample instrumented agent: the target of setting.yaml "
        '(runner.target "examples.simple_agent:run").'
        if name == SAMPLE_AGENT
        else f'An instrumented agent: use it with runner.target "examples.{name}:run".'
    )
    return templates.SIMPLE_AGENT.format(description=description)


def _write(files: list[_File]) -> None:
    for file in files:
        if file.keep_existing and file.path.exists():
            continue
        write_atomic(file.path, file.text, new_mode=file.mode)


def create_project(
    workspace: Path, name: str, *, force: bool = False, template: str = "simple"
) -> Path:
    """Create ``workspace/fluxloop/name`` with setting.yaml, a sample agent and folders.

    When ``workspace`` lies inside an existing workspace (its ``fluxloop/`` folder or one
    of its projects), the project goes into that workspace instead of a nested
    ``fluxloop/fluxloop/``.

    ``template`` "replay" also writes examples/message_handler.py. Returns the project
    folder. Raises UsageError for a bad name or template, or an existing project without
    ``force``.
    """
    problem = validate_project_name(name)
    if problem:
        raise UsageError(problem, key="name", hint="For example: my-agent.")
    _check_template(template)
    workspace = workspace.expanduser().absolute()
    if workspace.exists() and not workspace.is_dir():
        raise UsageError(
            "is not a folder",
            file=workspace,
            hint="Choose the folder to create fluxloop/ in.",
        )
    workspace = find_workspace(workspace) or workspace
    root = workspace / WORKSPACE_DIR_NAME
    project = root / name
    if project.exists() and not project.is_dir():
        raise UsageError("exists and is not a folder", file=project, hint="Choose another name.")
    if project.is_dir() and any(project.iterdir()) and not force:
        raise UsageError(
            "a project already exists here",
            file=project,
            hint="Choose another name, or pass --force to rewrite its setting.yaml and "
            "sample agent (.env files and results are kept).",
        )
    for folder in PROJECT_DIRS:
        (project / folder).mkdir(parents=True, exist_ok=True)
    files = [
        _File(root / ".env", templates.WORKSPACE_ENV, keep_existing=True),
        _File(project / ".env", templates.PROJECT_ENV, keep_existing=True),
        _File(
            project / CONFIG_FILE_NAME,
            templates.SETTING_YAML.format(name=name, quoted_name=json.dumps(name)),
            keep_existing=False,
        ),
        _File(
            project / "examples" / f"{SAMPLE_AGENT}.py",
            _agent_text(SAMPLE_AGENT, "simple"),
            keep_existing=False,
        ),
    ]
    if template == "replay":
        files.append(
            _File(
                project / "examples" / "message_handler.py",
                _agent_text("message_handler", "replay"),
                keep_existing=False,
            )
        )
    _write(files)
    return project


def create_agent(
    project_dir: Path, name: str, *, template: str = "simple", force: bool = False
) -> Path:
    """Write ``project_dir/examples/name.py`` from a template; returns the file.

    Raises UsageError for a bad name or template, or an existing file without ``force``.
    """
    problem = validate_agent_name(name)
    if problem:
        raise UsageError(problem, key="name", hint="For example: fluxloop init agent my_agent.")
    _check_template(template)
    path = project_dir / "examples" / f"{name}.py"
    if path.exists() and not force:
        raise UsageError(
            "already exists",
            file=path,
            hint="Choose another name, or pass --force to overwrite it.",
        )
    if path.is_dir():
        raise UsageError("is a folder", file=path, hint="Choose another name.")
    write_atomic(path, _agent_text(name, template))
    return path


def agent_target(name: str, template: str) -> str:
    """The ``runner.target`` of an agent written by :func:`create_agent`."""
    _check_template(template)
    qualname = "MessageHandler.handle_message" if template == "replay" else "run"
    return f"examples.{name}:{qualname}"


PYTEST_FILE = Path("tests") / "test_agent_fluxloop.py"


def create_pytest_template(project_dir: Path, config_path: Path, *, force: bool = False) -> Path:
    """Write ``project_dir/tests/test_agent_fluxloop.py``, a pytest test running the
    experiment of ``config_path``; returns the file. An existing file is kept unless
    ``force`` (UsageError)."""
    path = project_dir / PYTEST_FILE
    if path.is_dir():
        raise UsageError("is a folder", file=path, hint="Move it away first.")
    if path.exists() and not force:
        raise UsageError(
            "already exists",
            file=path,
            hint="Pass --force to overwrite it, or edit it by hand.",
        )
    config_name = config_path.relative_to(project_dir).as_posix()
    write_atomic(path, templates.PYTEST_TEMPLATE.format(config_name=config_name))
    return path
