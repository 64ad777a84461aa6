"""`fluxloop status check`: ok/warn/fail lines; a real HTTP server plays the collector."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml
from fluxloop_runner import Runner

from fluxloop_core.config.loader import load_config
from fluxloop_core.status import Check, run_checks


class _Collector(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture()
def collector_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


def edit(config: Path, **changes: object) -> None:
    data = yaml.safe_load(config.read_text())
    data.update(changes)
    config.write_text(yaml.safe_dump(data, sort_keys=False))


def test_fresh_project_is_all_ok(tmp_path: Path, plain_project: Path, fluxloop: Runner) -> None:
    result = fluxloop("status", "check", "--project", "my-agent", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["ok", "config"],
        ["ok", "target"],
        ["ok", "llm"],
        ["ok", "collector"],
        ["ok", "recording"],
        ["ok", "inputs"],
        ["ok", "last"],
    ]
    assert "not needed" in lines[2]
    assert "no experiments yet" in lines[6]
    as_json = json.loads(fluxloop("status", "check", "--json", cwd=plain_project).stdout)
    assert {c["level"] for c in as_json} == {"ok"}


def test_collector_reachable_and_unreachable(plain_project: Path, collector_url: str) -> None:
    config = plain_project / "setting.yaml"
    edit(config, collector={"enabled": True, "url": collector_url})
    check = by_name(run_checks(load_config(config)))["collector"]
    assert check == Check("collector", "ok", f"{collector_url} reachable (HTTP 200)")

    # A port nothing listens on: take one from the OS, then close it.
    probe = ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    dead = f"http://127.0.0.1:{probe.server_address[1]}"
    probe.server_close()
    edit(config, collector={"enabled": True, "url": dead, "timeout_seconds": 1})
    check = by_name(run_checks(load_config(config)))["collector"]
    assert check.level == "warn" and "unreachable" in check.message

    edit(config, collector={"enabled": False, "url": dead})
    assert by_name(run_checks(load_config(config)))["collector"].level == "ok"


def test_collector_from_the_env_file(
    plain_project: Path, collector_url: str, fluxloop: Runner
) -> None:
    (plain_project / ".env").write_text(f"FLUXLOOP_COLLECTOR_URL={collector_url}\n")
    result = fluxloop("status", "check", cwd=plain_project)
    assert f"ok    collector        {collector_url} reachable (HTTP 200)" in result.stdout


def test_llm_key_needed_only_for_llm_mode(plain_project: Path, fluxloop: Runner) -> None:
    config = plain_project / "setting.yaml"
    edit(
        config, input_generation={"mode": "llm", "llm": {"enabled": True, "provider": "anthropic"}}
    )
    result = fluxloop("status", "check", cwd=plain_project, code=2)
    assert "fail  llm key" in result.stdout and "ANTHROPIC_API_KEY" in result.stdout
    (plain_project / ".env").write_text("ANTHROPIC_API_KEY=sk-ant-secret-4321\n")
    result = fluxloop("status", "check", cwd=plain_project)
    assert "ok    llm key          ANTHROPIC_API_KEY set (project .env" in result.stdout
    assert "sk-ant-secret" not in result.stdout and "4321" not in result.stdout  # not even its tail
    # The universal fallback counts too, from the process environment.
    (plain_project / ".env").write_text("")
    result = fluxloop(
        "status", "check", cwd=plain_project, env={"FLUXLOOP_LLM_API_KEY": "sk-fallback-1111"}
    )
    assert "FLUXLOOP_LLM_API_KEY set (process" in result.stdout


def test_failures_exit_2_and_last_experiment(plain_project: Path, fluxloop: Runner) -> None:
    experiments = plain_project / "experiments"
    run = experiments / "my-agent_20250930_150000"
    run.mkdir()
    (run / "summary.json").write_text(
        json.dumps(
            {
                "name": "my-agent",
                "date": "2025-09-30T15:00:00",
                "results": {
                    "total_runs": 100,
                    "successful": 98,
                    "failed": 2,
                    "success_rate": 0.98,
                    "avg_duration_ms": 1234.5,
                },
            }
        )
    )
    (experiments / "no_summary_yet").mkdir()
    result = fluxloop("status", "check", cwd=plain_project)
    assert "warn  last experiment  my-agent_20250930_150000: 98% success (98/100 runs)" in (
        result.stdout
    )

    edit(plain_project / "setting.yaml", runner={"target": "examples.simple_agent:gone"})
    result = fluxloop("status", "check", cwd=plain_project, code=2)
    assert "fail  target" in result.stdout and "has no attribute 'gone'" in result.stdout


def test_replay_recording_and_inputs_checks(plain_project: Path, fluxloop: Runner) -> None:
    config = plain_project / "setting.yaml"
    edit(
        config,
        replay_args={"enabled": True, "recording_file": "recordings/args.jsonl"},
        inputs_file="inputs/generated.yaml",
    )
    result = fluxloop("status", "check", cwd=plain_project, code=2)
    assert "fail  recording" in result.stdout and "Recording file not found" in result.stdout
    assert "fail  inputs" in result.stdout and "inputs file not found" in result.stdout
    (plain_project / "recordings" / "args.jsonl").write_text(
        '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
        '"kwargs": {"data": {"content": "hi"}}, "timestamp": "2025-09-30T00:00:00"}\n'
    )
    (plain_project / "inputs" / "generated.yaml").write_text("inputs:\n  - input: hi\n")
    result = fluxloop("status", "check", cwd=plain_project)
    assert "ok    recording        1 recorded call in" in result.stdout
    assert "ok    inputs" in result.stdout


@pytest.mark.parametrize(
    "command",
    [
        ("status", "check"),
        ("config", "show"),
        ("status", "experiments"),
    ],
)
@pytest.mark.parametrize("where", ["", "examples", "../other"])
def test_project_name_resolves_from_inside_the_workspace(
    plain_project: Path, fluxloop: Runner, command: tuple[str, ...], where: str
) -> None:
    # The README's `cd fluxloop/my-agent`, then the README's `--project my-agent`; and the
    # same from a subfolder of the project and from a sibling project.
    fluxloop("init", "project", "--name", "other", cwd=plain_project.parent.parent)
    cwd = (plain_project / where).resolve()
    result = fluxloop(*command, "--project", "my-agent", cwd=cwd)
    assert "my-agent" in result.stdout and "no project" not in result.stderr


@pytest.mark.parametrize(
    "command",
    [
        ("config", "set-llm", "openai", "sk-test-0000"),
        ("init", "agent", "helper"),
        ("status", "traces"),
        ("status", "check"),
    ],
)
def test_outside_a_project_the_hint_names_only_flags_the_command_takes(
    plain_project: Path, fluxloop: Runner, command: tuple[str, ...]
) -> None:
    workspace = plain_project.parent.parent
    result = fluxloop(*command, cwd=workspace, code=2)
    assert "--config" not in result.stderr
    assert "--project NAME" in result.stderr and "my-agent" in result.stderr
