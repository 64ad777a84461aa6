"""``fluxloop doctor``: is this machine and this project set up to run FluxLoop?

Each finding is ok, warn (something optional is off) or fail (something FluxLoop needs is
missing), and a warn or fail carries the fix. The project-level findings reuse the checks
``status check`` makes (collector, keys); what is new here is what no single run checks:
the versions installed, where the agent's interpreter finds the ``fluxloop`` SDK, and the
optional extras.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Literal

from fluxloop_core import DISTRIBUTION, installed_version
from fluxloop_core.config.env import KNOWN_VARIABLES
from fluxloop_core.config.loader import LoadedConfig
from fluxloop_core.config.project import Project, find_project, load_project_config
from fluxloop_core.errors import ProjectNotFoundError, UserError
from fluxloop_core.preflight.target import TargetProblem, run_in_agent_interpreter, run_variables
from fluxloop_core.recording_switch import recording_status
from fluxloop_core.redaction import mask_secret
from fluxloop_core.status import check_collector, check_llm_key

Level = Literal["ok", "warn", "fail"]
MIN_PYTHON = (3, 11)
SDK_DISTRIBUTION = "fluxloop"
REQUIRED = ("pydantic", "pyyaml", "httpx", "python-dotenv", "rich", "openai")
"""What the CLI imports to run (textual only for the TUI, checked apart)."""
PROBE_TIMEOUT_SECONDS = 30.0
# Run in the agent's interpreter: where `import fluxloop` lands, and which version. A
# folder named fluxloop/ (a workspace) on the path imports as a namespace package with no
# __file__: that is the shadowing this catches.
_SDK_PROBE = """
import json
try:
    import fluxloop
except Exception as exc:
    print(json.dumps({"error": f"{type(exc).__name__}: {exc}"}))
else:
    print(json.dumps({
        "file": getattr(fluxloop, "__file__", None),
        "path": [str(p) for p in getattr(fluxloop, "__path__", [])],
        "has_agent": hasattr(fluxloop, "agent"),
        "version": str(getattr(fluxloop, "__version__", "?")),
    }))
"""


@dataclass(frozen=True)
class Finding:
    """One line of the doctor's report."""

    name: str
    level: Level
    detail: str
    fix: str | None = None


def _version_of(distribution: str) -> str | None:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return None


def python_finding() -> Finding:
    """This interpreter, and whether it is new enough."""
    detail = f"{platform.python_version()} at {sys.executable}"
    if sys.version_info[:2] < MIN_PYTHON:
        wanted = ".".join(map(str, MIN_PYTHON))
        return Finding("python", "fail", detail, f"install Python {wanted} or newer")
    return Finding("python", "ok", detail)


def packages_finding() -> Finding:
    """FluxLoop's own version and the packages the CLI needs."""
    missing = [name for name in REQUIRED if _version_of(name) is None]
    have = [f"{DISTRIBUTION} {installed_version()}"] + [
        f"{name} {_version_of(name)}" for name in REQUIRED if name not in missing
    ]
    if missing:
        return Finding(
            "packages",
            "fail",
            f"missing: {', '.join(missing)}",
            f"pip install {' '.join(missing)} (or reinstall FluxLoop: pip install -e .)",
        )
    return Finding("packages", "ok", ", ".join(have))


def extras_finding() -> Finding:
    """The optional parts: textual for the TUI, ray for the Ray executor."""
    textual = _version_of("textual")
    ray = _version_of("ray") if find_spec("ray") is not None else None
    detail = f"textual {textual or 'not installed'}, ray {ray or 'not installed'}"
    if textual is None:
        return Finding("extras", "warn", detail, "pip install textual (for `fluxloop tui`)")
    return Finding("extras", "ok", detail)


def sdk_finding(loaded: LoadedConfig) -> Finding:
    """Where ``import fluxloop`` lands for the agent (its interpreter, folder and
    environment, as a run starts it)."""
    runner = loaded.config.runner
    python = runner.python_path or sys.executable
    install = f"{python} -m pip install {SDK_DISTRIBUTION}"
    try:
        started = run_in_agent_interpreter(
            runner, ["-c", _SDK_PROBE], env=run_variables(loaded), timeout=PROBE_TIMEOUT_SECONDS
        )
    except subprocess.TimeoutExpired:
        return Finding(
            "agent sdk",
            "fail",
            f"{python} did not answer in {PROBE_TIMEOUT_SECONDS:g} s",
            "check runner.python_path",
        )
    if isinstance(started, TargetProblem):
        return Finding(
            "agent sdk",
            "fail",
            started.message,
            started.hint or f"fix {started.key} in setting.yaml",
        )
    out = started.stdout
    try:
        report = json.loads(out.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return Finding("agent sdk", "fail", f"{python} could not import anything", install)
    if not isinstance(report, dict):
        return Finding("agent sdk", "fail", f"{python} gave no answer", install)
    if "error" in report:
        return Finding("agent sdk", "fail", f"{python}: {report['error']}", install)
    if not report.get("file") or not report.get("has_agent"):
        paths = ", ".join(map(str, report.get("path") or [])) or "?"
        return Finding(
            "agent sdk",
            "fail",
            f"`import fluxloop` in {python} finds the folder {paths}, not the SDK",
            "rename that folder or start the agent from another folder; "
            f"if the SDK is missing: {install}",
        )
    return Finding(
        "agent sdk",
        "ok",
        f"{python} imports fluxloop {report.get('version', '?')} from {report['file']}",
    )


def keys_finding(loaded: LoadedConfig) -> Finding:
    """The secret variables that are set, masked, and whether generation needs one."""
    present = [
        f"{v.name}={mask_secret(loaded.env.variables[v.name])} ({loaded.env.source(v.name)})"
        for v in KNOWN_VARIABLES
        if v.secret and loaded.env.variables.get(v.name)
    ]
    need = check_llm_key(loaded)
    detail = "; ".join(present) if present else "no keys set"
    if need.level == "ok":
        return Finding("keys", "ok", detail)
    return Finding("keys", need.level, detail, need.message)


def collector_finding(loaded: LoadedConfig) -> Finding:
    """The collector check of ``status check``, with a fix when it is unreachable."""
    check = check_collector(loaded)
    fix = None
    if check.level != "ok":
        fix = "start the collector, fix FLUXLOOP_COLLECTOR_URL, or run with --no-collector"
    return Finding("collector", check.level, check.message, fix)


def recording_finding(project: Project) -> Finding:
    """What a process started from the project records."""
    state = recording_status(project.dir)
    if state.recording:
        return Finding("recording", "ok", f"on, to {state.recording_file}")
    return Finding("recording", "ok", "off (`fluxloop record enable` turns it on)")


def diagnose(project_arg: str | None, *, cwd: Path | None = None) -> list[Finding]:
    """Every finding, machine first, then the project's (when one is found).

    ``--project`` naming no project is the caller's usage error (ProjectNotFoundError);
    no project around the current folder is only a warning: the machine can still be
    checked.
    """
    findings = [python_finding(), packages_finding(), extras_finding()]
    try:
        project = find_project(project_arg, cwd=cwd)
    except ProjectNotFoundError as exc:
        if project_arg:
            raise
        findings.append(Finding("project", "warn", exc.message, exc.hint))
        return findings
    path = project.config_path
    findings.append(Finding("project", "ok", f"{project.dir} ({path.name})"))
    try:
        loaded = load_project_config(path)
    except UserError as exc:
        findings.append(Finding("config", "fail", exc.render(with_hint=False), _fix(exc)))
        return findings
    findings.append(Finding("config", "ok", f"{path} loads"))
    findings += [sdk_finding(loaded), keys_finding(loaded), collector_finding(loaded)]
    try:
        findings.append(recording_finding(project))
    except UserError as exc:
        findings.append(Finding("recording", "fail", exc.render(with_hint=False), _fix(exc)))
    return findings


def _fix(error: UserError) -> str:
    return error.hint or "`fluxloop config validate` says more"
