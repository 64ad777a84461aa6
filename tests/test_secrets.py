"""Secrets planted where users keep them never leave the process in the clear.

Every place is planted at once (process environment, project and global .env, a config
``${VAR}`` outside environment_vars, a literal secret in environment_vars, the collector's
and the LLM base_url's URL passwords, an LLM server on 127.0.0.1 that answers 401 echoing
the bearer key, an agent that echoes them), then every command that shows or stores
something runs, and no secret may appear in its stdout, stderr or any file it wrote.
"""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Any

import yaml
from chat_server import ChatServer
from fluxloop_runner import Runner

PROCESS_KEY = "sk-test-process-key-A1b2"  # OPENAI_API_KEY from the environment
DOTENV_TOKEN = "tok-dotenv-service-C3d4"  # MY_SERVICE_TOKEN from the project's .env
GLOBAL_KEY = "fl-global-collector-E5f6"  # FLUXLOOP_API_KEY from the workspace's .env
LITERAL_PASSWORD = "literal-db-pass-G7h8"  # runner.environment_vars.DB_PASSWORD
COLLECTOR_PASSWORD = "collector-pass-I9j0"
LLM_PASSWORD = "llm-url-pass-K1l2"
SECRETS = [
    PROCESS_KEY,
    DOTENV_TOKEN,
    GLOBAL_KEY,
    LITERAL_PASSWORD,
    COLLECTOR_PASSWORD,
    LLM_PASSWORD,
]

AGENT = """
import os

def run(input_text: str) -> str:
    if "fail" in input_text:
        raise RuntimeError("upstream said: Authorization: Bearer " + os.environ["MY_SERVICE_TOKEN"])
    return " ".join([input_text, os.environ.get("DB_PASSWORD", ""), os.environ["OPENAI_API_KEY"]])
"""


def unauthorized_echoing_the_key(_request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    message = f"Incorrect API key provided: {PROCESS_KEY} (header 'Bearer {PROCESS_KEY}')"
    return 401, {}, {"error": {"message": message, "type": "invalid_request_error"}}


def plant(tmp_path: Path, project: Path, llm_url: str) -> dict[str, str]:
    (tmp_path / "fluxloop" / ".env").write_text(f"FLUXLOOP_API_KEY={GLOBAL_KEY}\n")
    (project / ".env").write_text(f"MY_SERVICE_TOKEN={DOTENV_TOKEN}\n")
    (project / "examples" / "simple_agent.py").write_text(AGENT)
    config = project / "setting.yaml"
    data = yaml.safe_load(config.read_text())
    data["description"] = "uses ${OPENAI_API_KEY} and ${MY_SERVICE_TOKEN}"
    data["runner"]["environment_vars"] = {"DB_PASSWORD": LITERAL_PASSWORD, "MODE": "test"}
    data["base_inputs"] = [{"input": "hello"}, {"input": "please fail"}]
    data["collector"] = {"url": f"http://collector:{COLLECTOR_PASSWORD}@127.0.0.1:9/"}
    llm = data["input_generation"]["llm"]
    llm.update(
        enabled=True, max_retries=0, base_url=llm_url.replace("://", f"://u:{LLM_PASSWORD}@")
    )
    config.write_text(yaml.safe_dump(data, sort_keys=False))
    return {"OPENAI_API_KEY": PROCESS_KEY}


def assert_clean(where: str, text: str) -> None:
    leaked = [secret for secret in SECRETS if secret in text]
    assert not leaked, f"{where} holds {leaked}:\n{text}"


def test_no_secret_leaves_the_process(tmp_path: Path, project: Path, fluxloop: Runner) -> None:
    server = ChatServer()
    server.script = [unauthorized_echoing_the_key] * 20
    env = plant(tmp_path, project, server.base_url)
    outputs: list[tuple[str, subprocess.CompletedProcess[str]]] = []

    def run(*args: str, code: int = 0) -> subprocess.CompletedProcess[str]:
        result = fluxloop(*args, cwd=project, env=env, code=code)
        outputs.append((" ".join(args), result))
        return result

    ran = run("run", "experiment", "--json", code=1)  # one run of two fails its bar
    assert "not reachable" in ran.stderr and "collector:****@127.0.0.1" in ran.stderr
    run("run", "experiment", "--iterations", "1", code=1)
    run("status", "check", code=0)
    run("status", "check", "--json", code=0)
    run("status", "experiments")
    traces = run("status", "traces")
    assert "****" in traces.stdout  # the agent's echo is stored redacted
    run("config", "show")
    run("config", "show", "--json")
    run("config", "env", "--show-values")
    generated = run("generate", "inputs", "--mode", "llm", code=1)
    assert "401" in generated.stdout + generated.stderr
    assert len(server.requests) >= 1

    bad = project / "bad.yaml"
    bad.write_text((project / "setting.yaml").read_text() + "iterations: ${OPENAI_API_KEY}\n")
    refused = run("config", "show", "--config", "bad.yaml", code=2)
    assert "iterations" in refused.stderr

    for what, result in outputs:
        assert_clean(f"stdout of {what}", result.stdout)
        assert_clean(f"stderr of {what}", result.stderr)
    written = [p for p in (project / "experiments").rglob("*") if p.is_file()]
    assert {p.name for p in written} >= {"summary.json", "traces.jsonl", "errors.json"}
    for path in written:
        assert_clean(str(path), path.read_text(encoding="utf-8"))
    summary = json.loads(next(p for p in written if p.name == "summary.json").read_text())
    env_vars = summary["config"]["runner"]["environment_vars"]
    assert env_vars == {"DB_PASSWORD": "****", "MODE": "test"}


def test_show_values_shows_only_the_last_four(
    tmp_path: Path, project: Path, fluxloop: Runner
) -> None:
    env = plant(tmp_path, project, "http://127.0.0.1:9/v1")
    hidden = fluxloop("config", "show", cwd=project, env=env).stdout
    shown = fluxloop("config", "show", "--show-values", cwd=project, env=env).stdout
    assert_clean("config show", hidden)
    assert_clean("config show --show-values", shown)
    for secret in (PROCESS_KEY, DOTENV_TOKEN, LITERAL_PASSWORD, COLLECTOR_PASSWORD):
        masked = "*" * (len(secret) - 4) + secret[-4:]
        assert masked in shown and secret[-4:] not in hidden


def test_a_terminal_never_sees_a_secret_folded_over_lines(project: Path) -> None:
    password = "folded-" + "x1" * 40
    (project / ".env").write_text(f"FLUXLOOP_COLLECTOR_URL=http://c:{password}@127.0.0.1:9/\n")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    child = subprocess.Popen(
        [sys.executable, "-m", "fluxloop_core", "status", "check"],
        cwd=project,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "COLUMNS": "40", "LINES": "24"},
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert child.wait(timeout=120) == 0
    shown = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", b"".join(chunks).decode(errors="replace"))
    assert "http://c:****@" in shown
    # Neither folded over lines nor cut short with an ellipsis: not even a prefix.
    assert "folded" not in shown
