"""The files ``fluxloop init`` writes, as string templates (``{name}`` etc. via str.format).

Kept as Python constants rather than data files so no package-data setup is needed. Braces
that belong to the generated text are doubled.
"""

from __future__ import annotations

WORKSPACE_ENV = """\
# FluxLoop workspace environment, shared by every project in this folder.
# A project's own .env (fluxloop/NAME/.env) overrides these values, and variables set in
# your shell override both. `fluxloop config env` shows what is in effect and where each
# value comes from. Uncomment and fill in what you need.

# Core FluxLoop
# FLUXLOOP_ENABLED=true
# FLUXLOOP_DEBUG=false

# FluxLoop Collector (leave unset to run offline)
# FLUXLOOP_COLLECTOR_URL=http://localhost:8000
# FLUXLOOP_API_KEY=your-collector-key

# Recording (optional): record the real call arguments your agent receives
# FLUXLOOP_RECORD_ARGS=false
# FLUXLOOP_RECORDING_FILE=/tmp/fluxloop_args.jsonl

# Sampling
# FLUXLOOP_SAMPLE_RATE=1.0

# Performance
# FLUXLOOP_BATCH_SIZE=10
# FLUXLOOP_FLUSH_INTERVAL=5.0
# FLUXLOOP_MAX_QUEUE_SIZE=10000
# FLUXLOOP_TIMEOUT=10.0

# Collector (fluxloop = batched; legacy = one trace per request, as fluxloop 0.1.x sent)
# FLUXLOOP_USE_COLLECTOR=true
# FLUXLOOP_COLLECTOR_FORMAT=fluxloop
# FLUXLOOP_SERVICE_NAME=my-agent
# FLUXLOOP_ENVIRONMENT=development

# Accepted for fluxloop 0.1.x agents; FluxLoop keeps no offline store
# FLUXLOOP_OFFLINE_ENABLED=true
# FLUXLOOP_OFFLINE_DIR=./fluxloop_offline

# LLM API Keys (only for `input_generation.mode: llm`)
# OPENAI_API_KEY=sk-...
# ANTHROPIC_API_KEY=sk-ant-...
# Universal fallback, used when the provider's own key is unset:
# FLUXLOOP_LLM_API_KEY=sk-...
"""

PROJECT_ENV = """\
# Environment overrides for this project only: they win over ../.env (the workspace's),
# and variables set in your shell win over both.
# `fluxloop config set-llm PROVIDER KEY` writes the provider's key here.

# OPENAI_API_KEY=sk-...
# ANTHROPIC_API_KEY=sk-ant-...
# FLUXLOOP_COLLECTOR_URL=http://localhost:8000
"""

SETTING_YAML = """\
# FluxLoop experiment configuration for {name}.
# Every key is described by the JSON Schema from `fluxloop config schema`; for completion in
# your editor run `fluxloop config schema > setting.schema.json` and add this first line:
#   # yaml-language-server: $schema=setting.schema.json
# Relative paths are from this file's folder; ${{VAR}} expands from the environment/.env.
# Check this file with `fluxloop config validate --config setting.yaml`.

name: {quoted_name}

runner:
  # "module.path:function" or "module.path:ClassName.method_name"
  target: "examples.simple_agent:run"
  # Put on sys.path and used as the runs' current folder.
  working_directory: "."
  timeout_seconds: 300

# Each input is passed as the first argument of the target.
base_inputs:
  - input: "Hello world"
  - input: "Test message"
  - input: "What can you do?"
    metadata:
      topic: capabilities

iterations: 3
parallel_runs: 2
output_directory: "experiments"

# Run the inputs written by `fluxloop generate inputs` instead of base_inputs:
# inputs_file: "inputs/generated.yaml"

input_generation:
  # deterministic: offline, no key needed. llm: needs a key (`fluxloop config set-llm`).
  mode: deterministic
  strategies:
    - rephrase
    - verbose
    - concise
  llm:
    enabled: false
    provider: openai
    model: gpt-4o-mini

# Argument replay (Mode 2): each run gets a recorded call's kwargs with the input written
# at override_param_path. Record with fluxloop.record_call_args() in staging first.
replay_args:
  enabled: false
  recording_file: "recordings/args.jsonl"
  override_param_path: "data.content"
  # Map each recorded callable parameter to a provider, for example:
  #   send_message_callback: "builtin:collector.send"
  #   send_error_callback: "builtin:collector.error"
  callable_providers: {{}}

# Where the SDK sends traces during runs. Without a URL here or FLUXLOOP_COLLECTOR_URL in
# .env, runs stay offline; `fluxloop run experiment --no-collector` forces that.
collector:
  enabled: true
  # url: "http://localhost:8000"
"""

SIMPLE_AGENT = '''\
"""{description}"""

import fluxloop


@fluxloop.agent()
def run(input_text: str) -> str:
    return f"Processed: {{input_text}}"
'''

REPLAY_AGENT = '''\
"""A message handler whose real calls are recorded in staging and replayed by FluxLoop.

Record: in staging set FLUXLOOP_RECORD_ARGS=true and FLUXLOOP_RECORDING_FILE=/tmp/{name}_args.jsonl
(or call ``fluxloop.configure(record_args=True, recording_file=...)`` at start-up), send a
few real messages, and copy the file to recordings/.

Replay: point setting.yaml at it::

    runner:
      target: "examples.{name}:MessageHandler.handle_message"
    replay_args:
      enabled: true
      recording_file: "recordings/{name}_args.jsonl"
      callable_providers:
        send_message_callback: "builtin:collector.send"
        send_error_callback: "builtin:collector.error"
      override_param_path: "data.content"
"""

from typing import Any, Awaitable, Callable, Dict

import fluxloop

Callback = Callable[[Dict[str, Any]], Awaitable[None]]


class MessageHandler:
    @fluxloop.agent()
    async def handle_message(
        self,
        connection_id: str,
        data: Dict[str, Any],
        user_connection: Dict[str, Any],
        send_message_callback: Callback,
        send_error_callback: Callback,
    ) -> None:
        # Record every argument (callables become markers such as "<builtin:collector.send>").
        fluxloop.record_call_args(
            target="examples.{name}:MessageHandler.handle_message",
            connection_id=connection_id,
            data=data,
            user_connection=user_connection,
            send_message_callback=send_message_callback,
            send_error_callback=send_error_callback,
        )

        # Your existing logic goes here.
        content = str(data.get("content", ""))
        if not content.strip():
            await send_error_callback({{"error": "empty message"}})
            return
        await send_message_callback({{"reply": f"Processed: {{content}}"}})
'''


PYTEST_TEMPLATE = '''"""This project's FluxLoop experiment as a pytest test.

Written by `fluxloop init pytest-template`. The `fluxloop_experiment` fixture comes with
FluxLoop (a pytest plugin): it runs the experiment of setting.yaml in-process and offline,
with its results in the test's temporary folder. Run it with `pytest tests/`.
"""

from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[1] / "{config_name}"


def test_every_run_succeeds(fluxloop_experiment):
    outcome = fluxloop_experiment(CONFIG, iterations=1)
    assert outcome.success_rate == 1.0, outcome.explain()


def test_checks_pass(fluxloop_experiment):
    outcome = fluxloop_experiment(CONFIG)
    if outcome.pass_rate is None:
        pytest.skip("no `evaluation:` checks in {config_name} yet")
    assert outcome.gate_passed is not False, outcome.explain()
'''
