"""The seed README, followed by a new user from a plain terminal: every command as written.

Each step runs the real `fluxloop` command in a subprocess from the folder the README puts
the user in, with no key and no network.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml


def fluxloop(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """Run `fluxloop ARGS` as a user would; assert exit 0 unless ``ok`` is False."""
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if ok:
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    fluxloop("init", "project", "--name", "my-agent", cwd=tmp_path)
    return tmp_path / "fluxloop" / "my-agent"


def latest_summary(experiments: Path) -> dict[str, object]:
    folders = sorted(p for p in experiments.iterdir() if (p / "summary.json").exists())
    assert folders, f"no experiment in {experiments}"
    summary: dict[str, object] = json.loads((folders[-1] / "summary.json").read_text())
    return summary


def test_quick_start_scaffold_runs_without_edits(tmp_path: Path, project: Path) -> None:
    for path in (
        "fluxloop/.env",
        "fluxloop/my-agent/setting.yaml",
        "fluxloop/my-agent/examples/simple_agent.py",
        "fluxloop/my-agent/experiments",
        "fluxloop/my-agent/inputs",
        "fluxloop/my-agent/recordings",
    ):
        assert (tmp_path / path).exists(), path

    # Mode 1, exactly as the seed runs it: no --no-collector, no collector configured.
    fluxloop("run", "experiment", "--config", "setting.yaml", cwd=project)
    summary = latest_summary(project / "experiments")
    results = summary["results"]
    assert isinstance(results, dict)
    assert results["failed"] == 0 and results["total_runs"] > 0

    single = fluxloop("run", "single", "examples.simple_agent:run", "Test input", cwd=project)
    assert "Processed: Test input" in single.stdout

    fluxloop("run", "experiment", "--config", "setting.yaml", "--no-collector", cwd=project)
    fluxloop("run", "experiment", "--config", "setting.yaml", "--iterations", "5", cwd=project)
    fluxloop("config", "validate", "--config", "setting.yaml", cwd=project)
    fluxloop("init", "agent", "my_agent", "--template", "simple", cwd=project)
    assert (project / "examples" / "my_agent.py").exists()

    # The status and config commands take the project by name from the workspace.
    workspace = tmp_path
    fluxloop("status", "check", "--project", "my-agent", cwd=workspace)
    listing = fluxloop("status", "experiments", "--project", "my-agent", "--json", cwd=workspace)
    assert len(json.loads(listing.stdout)) == 3
    fluxloop("status", "traces", "--project", "my-agent", cwd=workspace)
    shown = fluxloop("config", "show", "--project", "my-agent", cwd=workspace)
    assert "examples.simple_agent:run" in shown.stdout


def test_credentials_helper_masks_the_key(project: Path) -> None:
    fluxloop(
        "config", "set-llm", "openai", "sk-xxxx-secret-9876", "--model", "gpt-4o-mini", cwd=project
    )
    hidden = fluxloop("config", "env", cwd=project)
    assert "9876" not in hidden.stdout
    shown = fluxloop("config", "env", "--show-values", cwd=project)
    assert "9876" in shown.stdout
    assert "sk-xxxx-secret-9876" not in shown.stdout
    assert "gpt-4o-mini" in (project / "setting.yaml").read_text()


def test_generate_commands_as_written(project: Path) -> None:
    fluxloop("generate", "inputs", "--config", "setting.yaml", "--limit", "20", cwd=project)
    generated = yaml.safe_load((project / "inputs" / "generated.yaml").read_text())
    assert len(generated["inputs"]) == 20
    fluxloop(
        "generate", "inputs", "--config", "setting.yaml",
        "--strategy", "rephrase", "--strategy", "verbose",
        cwd=project,
    )  # fmt: skip
    generated = yaml.safe_load((project / "inputs" / "generated.yaml").read_text())
    assert {i["metadata"]["strategy"] for i in generated["inputs"]} == {"rephrase", "verbose"}


def test_seed_quick_test_verbatim(tmp_path: Path, project: Path) -> None:
    output = tmp_path / "test_output"  # the seed writes to /tmp/test_output
    (project / "test.yaml").write_text(
        textwrap.dedent(f"""\
            name: quick_test
            runner:
              target: "examples.simple_agent:run"
            base_inputs:
              - input: "Hello"
            iterations: 1
            output_directory: {output}
            """)
    )
    fluxloop("run", "experiment", "--config", "test.yaml", "--no-collector", cwd=project)
    (folder,) = output.glob("quick_test_*")
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["name"] == "quick_test"
    assert summary["results"]["total_runs"] == 1
    assert summary["results"]["successful"] == 1
    assert summary["results"]["success_rate"] == 1.0


def test_seed_test_with_recording_verbatim(tmp_path: Path, project: Path) -> None:
    recording = tmp_path / "test_recording.jsonl"
    recording.write_text(
        '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
        '"kwargs": {"data": {"content": "test"}}, "timestamp": "2025-09-30T00:00:00"}\n'
    )
    fluxloop(
        "generate", "inputs", "--config", "setting.yaml",
        "--from-recording", str(recording), "--limit", "3",
        cwd=project,
    )  # fmt: skip
    generated = yaml.safe_load((project / "inputs" / "generated.yaml").read_text())
    assert len(generated["inputs"]) == 3
    fluxloop(
        "run", "experiment", "--config", "setting.yaml", "--iterations", "1", "--no-collector",
        cwd=project,
    )  # fmt: skip


MESSAGE_HANDLER = """\
from typing import Any, Callable, Dict

import fluxloop


class MessageHandler:
    @fluxloop.agent()
    async def handle_message(
        self,
        connection_id: str,
        data: Dict[str, Any],
        user_connection: Dict[str, Any],
        send_message_callback: Callable,
        send_error_callback: Callable,
    ) -> None:
        fluxloop.record_call_args(
            target="examples.pluto_duck.message_handler:MessageHandler.handle_message",
            connection_id=connection_id,
            data=data,
            user_connection=user_connection,
            send_message_callback=send_message_callback,
            send_error_callback=send_error_callback,
        )
        if not data["content"].strip():
            await send_error_callback({"error": "empty message"})
            return
        reply = {"reply": data["content"].upper(), "user": user_connection["id"]}
        await send_message_callback(reply)
"""

STAGING = """\
import asyncio, sys
import fluxloop
from examples.pluto_duck.message_handler import MessageHandler

fluxloop.reset_config()
fluxloop.configure(record_args=True, recording_file=sys.argv[1])

async def send(message):
    pass

async def main():
    handler = MessageHandler()
    for text in ["hello there", "what is my balance?"]:
        await handler.handle_message(
            connection_id="c-1",
            data={"content": text, "channel": "web"},
            user_connection={"id": "u-7", "plan": "pro"},
            send_message_callback=send,
            send_error_callback=send,
        )

asyncio.run(main())
"""


def test_mode_two_record_generate_replay(project: Path) -> None:
    package = project / "examples" / "pluto_duck"
    package.mkdir()
    (project / "examples" / "__init__.py").touch()
    (package / "__init__.py").touch()
    (package / "message_handler.py").write_text(MESSAGE_HANDLER)
    recording = project / "recordings" / "pluto_args.jsonl"
    staging = project / "staging.py"
    staging.write_text(STAGING)
    subprocess.run([sys.executable, str(staging), str(recording)], cwd=project, check=True)
    lines = [json.loads(line) for line in recording.read_text().splitlines()]
    assert [line["iteration"] for line in lines] == [0, 1]
    assert lines[0]["kwargs"]["send_message_callback"].startswith("<")

    config = project / "setting.yaml"
    config.write_text(
        textwrap.dedent("""\
            name: pluto_duck_simulation

            runner:
              target: "examples.pluto_duck.message_handler:MessageHandler.handle_message"
              working_directory: "."

            replay_args:
              enabled: true
              recording_file: "recordings/pluto_args.jsonl"
              callable_providers:
                send_message_callback: "builtin:collector.send"
                send_error_callback: "builtin:collector.error"
              override_param_path: "data.content"

            inputs_file: "inputs/generated.yaml"
            iterations: 50
            parallel_runs: 4
            """)
    )
    fluxloop(
        "generate", "inputs", "--config", "setting.yaml",
        "--from-recording", "recordings/pluto_args.jsonl", "--limit", "50",
        cwd=project,
    )  # fmt: skip
    fluxloop(
        "run", "experiment", "--config", "setting.yaml", "--iterations", "2", "--no-collector",
        cwd=project,
    )  # fmt: skip
    summary = latest_summary(project / "experiments")
    results = summary["results"]
    assert isinstance(results, dict) and results["total_runs"] == 100
    folder = sorted((project / "experiments").glob("pluto_duck_simulation_*"))[-1]
    traces = [json.loads(line) for line in (folder / "traces.jsonl").read_text().splitlines()]
    assert len(traces) == 100
    sent = [call for trace in traces for call in trace["callback_calls"]]
    assert sent and all(
        call["parameter"] in {"send_message_callback", "send_error_callback"} for call in sent
    )
    assert any(call["args"][0].get("user") == "u-7" for call in sent if call["args"])


def test_troubleshooting_messages(tmp_path: Path, project: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "bad.yaml").write_text(
        'name: t\nrunner:\n  target: "examples.simple_agent:run"\nbase_inputs: ["x"]\n'
    )
    missing_module = fluxloop("run", "experiment", "--config", "bad.yaml", cwd=elsewhere, ok=False)
    assert missing_module.returncode == 2
    assert "No module named 'examples" in missing_module.stderr
    assert "working_directory" in missing_module.stderr

    config = project / "setting.yaml"
    text = config.read_text()
    replay = yaml.safe_load(text)
    replay["replay_args"] = {
        "enabled": True,
        "recording_file": "recordings/args.jsonl",
        "override_param_path": "data.content",
    }
    config.write_text(yaml.safe_dump(replay))
    not_found = fluxloop("run", "experiment", "--config", "setting.yaml", cwd=project, ok=False)
    assert not_found.returncode == 2
    assert "Recording file not found" in not_found.stderr

    (project / "recordings" / "args.jsonl").write_text(
        '{"_version": "1", "iteration": 0, "target": "examples.simple_agent:run", '
        '"kwargs": {"data": {"content": "hi"}, "custom_callback": "<builtin:collector.send>"}, '
        '"timestamp": "2025-09-30T00:00:00"}\n'
    )
    providers = fluxloop("run", "experiment", "--config", "setting.yaml", cwd=project, ok=False)
    assert providers.returncode == 2
    assert "Missing callable providers for recorded parameters: custom_callback" in providers.stderr
