"""Ctrl-C on an experiment of a command target: exit 130, and no program is left running
(the copies waiting for work and the ones stuck mid-run alike); --resume finishes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

Project = Any  # the `project` fixture of conftest.py

# Answers quickly, but hangs on inputs starting with "hang" (once it has noted its pid).
AGENT = """
import json, os, sys, time
from pathlib import Path

for line in sys.stdin:
    request = json.loads(line)
    Path("pids", str(os.getpid())).touch()
    if request["input"].startswith("hang") and not Path("resumed").exists():
        time.sleep(3600)
    print(json.dumps({"v": 1, "output": "ok " + request["input"]}), flush=True)
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0): reaped or not, it no longer runs.
    status = Path(f"/proc/{pid}/stat")
    return status.exists() and status.read_text().split(") ")[-1][:1] != "Z"


def test_ctrl_c_stops_every_program_and_resume_finishes(project: Project) -> None:
    project.write("agent.py", AGENT)
    (project.dir / "pids").mkdir()
    inputs = ", ".join(["hang 1", "hang 2"] + [f'"q{i}"' for i in range(6)])
    project.write(
        "setting.yaml",
        f"name: cmd\nrunner:\n  command: [{json.dumps(sys.executable)}, agent.py]\n"
        f"parallel_runs: 4\nbase_inputs: [{inputs}]\n",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", "run", "experiment", "--no-collector"],
        cwd=project.dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while len(list((project.dir / "pids").iterdir())) < 4 and time.monotonic() < deadline:
        time.sleep(0.05)
    pids = [int(p.name) for p in (project.dir / "pids").iterdir()]
    assert len(pids) == 4  # four copies, two of them stuck
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert [pid for pid in pids if alive(pid)] == []

    (folder,) = project.experiments()
    (project.dir / "resumed").touch()
    done = project.cli("run", "experiment", "--no-collector", "--resume", str(folder))
    assert done.returncode == 0, done.stderr
    outputs = sorted(t["output"] for t in project.traces(folder))
    assert outputs == sorted(["ok hang 1", "ok hang 2"] + [f"ok q{i}" for i in range(6)])
