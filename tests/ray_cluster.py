"""A local Ray cluster for tests: started once per test module, bound to 127.0.0.1, with
two CPUs, no dashboard, a small object store, usage stats off and its own temp folder."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

START_SECONDS = 120.0
RAY_TEST_ENV = {
    "RAY_USAGE_STATS_ENABLED": "0",
    # No token files in the developer's home; the cluster listens on loopback only.
    "RAY_AUTH_MODE": "disabled",
    # Else Ray swaps 127.0.0.1 for this machine's network address (found by "connecting"
    # a UDP socket to a public one); off, every address stays on loopback.
    "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
}
"""Set in the test process before Ray is imported (Ray reads them once, at import), and
given to the head node."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Cluster:
    """A running head node: its address and its temp folder."""

    address: str
    temp_dir: Path


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@contextlib.contextmanager
def ray_cluster() -> Iterator[Cluster]:
    """``ray start --head --block`` for the duration; every process it started ends with it."""
    temp_dir = Path(tempfile.mkdtemp(prefix="flr-"))  # short: Ray's socket paths live here
    port = free_port()
    ports = {
        "--port": port,
        "--dashboard-agent-listen-port": free_port(),
        "--dashboard-agent-grpc-port": free_port(),
        "--metrics-export-port": free_port(),
        "--runtime-env-agent-port": free_port(),
    }
    command = [
        sys.executable,
        "-m",
        "ray.scripts.scripts",
        "start",
        "--head",
        "--block",
        "--node-ip-address=127.0.0.1",
        "--num-cpus=2",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--object-store-memory={100 * 1024 * 1024}",
        f"--temp-dir={temp_dir}",
        *(f"{flag}={value}" for flag, value in ports.items()),
    ]
    env = {**os.environ, **RAY_TEST_ENV}
    head = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # a Ctrl-C sent to a test's process group must not reach it
    )
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _listening(port):
            if head.poll() is not None:
                raise RuntimeError(f"ray start failed: {head.communicate()[1][-2000:]!r}")
            if time.monotonic() > deadline:
                raise RuntimeError("ray start did not listen in time")
            time.sleep(0.1)
        yield Cluster(f"127.0.0.1:{port}", temp_dir)
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
            head.wait()
        shutil.rmtree(temp_dir, ignore_errors=True)


def ray_processes(marker: str) -> list[int]:
    """Live processes whose command line holds ``marker`` (e.g. ``ray::RunActor``)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "status").read_text()
        except OSError:
            continue
        if marker in command and "State:\tZ" not in state:
            found.append(int(entry.name))
    return found


def wait_for_no_processes(marker: str, seconds: float = 60.0) -> list[int]:
    """Wait until no process holds ``marker`` (Ray ends killed actors in the background);
    the ones still alive at the end."""
    deadline = time.monotonic() + seconds
    while (left := ray_processes(marker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left
