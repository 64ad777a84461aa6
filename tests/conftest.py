"""Suite-wide guards (a clean environment, caches in tmp, no traffic off loopback) and the
real `fluxloop` command in a subprocess, as a user would run it, in a scaffolded project."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from fluxloop_runner import Runner
from legacy_helpers import FIXTURE

_SCRUBBED_PREFIXES = ("FLUXLOOP_",)
_SCRUBBED_NAMES = ("OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "NO_COLOR")


def _is_loopback(address: Any) -> bool:
    if not isinstance(address, tuple):
        return True  # AF_UNIX paths never leave the machine
    host = str(address[0])
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _clean_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The developer's own keys and FLUXLOOP_* settings must not change what a test sees;
    # subprocesses inherit this cleaned environment too.
    for name in list(os.environ):
        if name.startswith(_SCRUBBED_PREFIXES) or name in _SCRUBBED_NAMES:
            monkeypatch.delenv(name, raising=False)
    cache: Path = tmp_path_factory.mktemp("xdg-cache")
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guard(address: Any) -> None:
        if not _is_loopback(address):
            raise ConnectionRefusedError(f"tests may only connect to loopback, not {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        guard(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        guard(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield


def run_fluxloop(
    *args: str,
    cwd: Path,
    code: int = 0,
    env: Mapping[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m fluxloop_core ARGS` in ``cwd``; asserts the exit code and no traceback."""
    full_env = dict(os.environ)
    full_env.update(env or {})
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=full_env,
    )
    assert result.returncode == code, (args, result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture()
def fluxloop() -> Runner:
    return run_fluxloop


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A freshly scaffolded workspace project: tmp_path/fluxloop/my-agent."""
    run_fluxloop("init", "project", "--name", "my-agent", cwd=tmp_path)
    return tmp_path / "fluxloop" / "my-agent"


PLAIN_AGENT = 'def run(input_text: str) -> str:\n    return f"Processed: {input_text}"\n'


@pytest.fixture()
def plain_project(project: Path) -> Path:
    """The scaffold with an agent that does not import the SDK, for checks of the core
    alone (the SDK is tested on its own)."""
    (project / "examples" / "simple_agent.py").write_text(PLAIN_AGENT)
    return project


# A copy of the workspace the released fluxloop-cli 0.2.36 made (tests/fixtures/compat).


@pytest.fixture()
def workspace(tmp_path: Path) -> Path:
    """tmp_path holding fluxloop/demo-agent as 0.2.36 wrote it (the fixture stays clean)."""
    shutil.copytree(FIXTURE, tmp_path / "fluxloop")
    return tmp_path


@pytest.fixture()
def legacy_project(workspace: Path) -> Path:
    return workspace / "fluxloop" / "demo-agent"
