"""LLM mode against a real chat-completions server on 127.0.0.1 (not a mock of the client)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer, completion, dripping, redirect_to_self, variations

from fluxloop_core.config.loader import LoadedConfig, load_config
from fluxloop_core.errors import GenerationError
from fluxloop_core.generation import client
from fluxloop_core.generation.request import request_from_config
from fluxloop_core.generation.service import generate_inputs


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    chat = ChatServer()
    yield chat
    chat.server.shutdown()


@pytest.fixture()
def loaded(tmp_path: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    monkeypatch.setattr(client, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setenv("FLUXLOOP_LLM_API_KEY", "sk-local-test-1234")
    (tmp_path / "setting.yaml").write_text(
        f"""
name: llm
runner:
  target: "agent:run"
base_inputs:
  - input: "Where is my order?"
  - input: "Cancel my plan"
input_generation:
  mode: llm
  strategies: [rephrase, verbose]
  llm:
    enabled: true
    provider: local
    model: test-model
    base_url: {server.base_url}
    timeout_seconds: 0.5
    max_retries: 2
"""
    )
    return load_config(tmp_path / "setting.yaml")


def generate(loaded: LoadedConfig, **overrides: Any) -> Any:
    return generate_inputs(loaded, request_from_config(loaded, **overrides))


def test_success_passes_key_model_and_counts_tokens(
    loaded: LoadedConfig, server: ChatServer
) -> None:
    result = generate(loaded, limit=6)
    texts = [i.input for i in result.inputs_file.inputs]
    assert len(texts) == 6 and len(set(texts)) == 6
    assert result.requests == 4 and result.cache_hits == 0
    assert (result.prompt_tokens, result.completion_tokens) == (44, 20)
    headers, body = server.requests[0]
    assert headers["authorization"] == "Bearer sk-local-test-1234"
    assert body["model"] == "test-model" and body["max_tokens"] == 1024
    assert result.inputs_file.model == "test-model" and result.error is None


def test_cache_hit_makes_no_request(loaded: LoadedConfig, server: ChatServer) -> None:
    first = generate(loaded)
    sent = len(server.requests)
    second = generate(loaded)
    assert len(server.requests) == sent and second.cache_hits == 4 and second.requests == 0
    assert [i.input for i in second.inputs_file.inputs] == [
        i.input for i in first.inputs_file.inputs
    ]
    generate(loaded, use_cache=False)
    assert len(server.requests) == 2 * sent


def test_429_with_retry_after_then_success(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [lambda _: (429, {"Retry-After": "0.05"}, {"error": {"message": "slow down"}})]
    started = time.monotonic()
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.requests == 2
    assert time.monotonic() - started >= 0.05  # Retry-After was honoured


def test_500_then_success(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [lambda _: (500, {}, {"error": {"message": "oops"}})]
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.error is None


def test_malformed_answer_is_repaired_or_reasked(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [lambda _: completion('```json\n["fenced one", "fenced two",]\n```')]
    repaired = generate(loaded, limit=1, strategies=["rephrase"])
    assert [i.input for i in repaired.inputs_file.inputs] == ["fenced one"]
    server.script = [lambda _: completion("Sure! Here are some ideas.")]
    reasked = generate(loaded, limit=1, strategies=["verbose"])
    assert len(reasked.inputs_file.inputs) == 1
    assert server.requests[-1][1]["messages"][-1]["content"].startswith("That was not")


def test_timeout_is_retried(loaded: LoadedConfig, server: ChatServer) -> None:
    def slow(body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        time.sleep(1.0)
        return variations(body)

    server.script = [slow]
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.requests == 2


def test_exhausted_retries_keep_what_was_made(loaded: LoadedConfig, server: ChatServer) -> None:
    def failing(body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        if "Cancel my plan" in body["messages"][1]["content"]:
            return 503, {}, {"error": {"message": "down"}}
        return variations(body)

    server.script = [failing] * 20
    result = generate(loaded, limit=4, strategies=["rephrase"])
    assert result.error is not None
    assert server.base_url in result.error and "HTTP 503" in result.error
    assert {i.metadata["base_index"] for i in result.inputs_file.inputs} == {0}


def test_no_key_points_at_set_llm(loaded: LoadedConfig, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FLUXLOOP_LLM_API_KEY")
    fresh = load_config(loaded.path)
    with pytest.raises(GenerationError, match="fluxloop config set-llm"):
        generate(fresh)


def test_cli_llm_mode_reports_progress_and_cost(loaded: LoadedConfig, server: ChatServer) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "FLUXLOOP_LLM_API_KEY": "sk-local-test-1234"}
    result = subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "generate", "inputs", "--config", str(loaded.path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "[fluxloop] generated 4/4  requests 4  cache hits 0" in result.stderr
    assert "Wrote 4 inputs" in result.stdout and "4 requests, 0 cache hits" in result.stdout
    assert (loaded.path.parent / "inputs" / "generated.yaml").exists()


def run_cli(config: Path) -> Any:
    import os
    import subprocess
    import sys

    env = {**os.environ, "FLUXLOOP_LLM_API_KEY": "sk-local-test-1234"}
    return subprocess.run(
        [sys.executable, "-m", "fluxloop_core", "generate", "inputs", "--config", str(config)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_trickling_answer_is_cut_at_the_total_deadline(
    loaded: LoadedConfig, server: ChatServer
) -> None:
    # Every part arrives well within the 0.5 s read timeout; the whole takes 2 s.
    server.script = [dripping(pieces=10, interval=0.2)] * 3
    result = generate(loaded, limit=1)
    assert result.inputs_file.inputs == [] and result.requests == 3
    assert result.error is not None and "timeout_seconds (0.5 s)" in result.error


def test_trickling_headers_are_cut_at_the_total_deadline(
    loaded: LoadedConfig, server: ChatServer
) -> None:
    def slow_then_trickle(body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        time.sleep(0.3)  # under the read timeout, then the body trickles on past the deadline
        return dripping(pieces=5, interval=0.3)(body)

    server.script = [slow_then_trickle] * 3
    result = generate(loaded, limit=1)
    assert result.inputs_file.inputs == [] and result.error is not None


def test_redirect_loop_stops_after_a_few_requests(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [redirect_to_self] * 500
    result = generate(loaded, limit=4, strategies=["rephrase"])
    groups = 2
    assert len(server.requests) <= groups * (client.MAX_REDIRECTS + 1)
    assert result.error is not None and f"redirected more than {client.MAX_REDIRECTS} times" in (
        result.error
    )


def test_a_short_redirect_chain_is_followed(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [redirect_to_self] * client.MAX_REDIRECTS
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.error is None


BAD_ANSWERS: dict[str, tuple[dict[str, str], Any]] = {
    "html": ({"Content-Type": "text/html"}, b"<html><body>502 Bad Gateway</body></html>"),
    "not JSON": ({}, b"this is not json"),
    "empty body": ({}, b""),
    "a JSON list": ({}, [1, 2]),
    "no choices": ({}, {"id": "x"}),
    "empty choices": ({}, {"choices": []}),
    "choices not a list": ({}, {"choices": "abc"}),
    "message null": ({}, {"choices": [{"message": None}]}),
    "choice not an object": ({}, {"choices": ["text"]}),
    "content a number": ({}, {"choices": [{"message": {"content": 42}}]}),
}


@pytest.mark.parametrize("name", BAD_ANSWERS)
def test_unusable_200_answer_is_retried(
    loaded: LoadedConfig, server: ChatServer, name: str
) -> None:
    headers, payload = BAD_ANSWERS[name]
    server.script = [lambda _: (200, headers, payload)]
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.error is None
    assert result.requests == 2


@pytest.mark.parametrize("name", ["html", "no choices", "content a number"])
def test_unusable_200_answers_until_retries_run_out_exit_1(
    loaded: LoadedConfig, server: ChatServer, name: str
) -> None:
    headers, payload = BAD_ANSWERS[name]
    server.script = [lambda _: (200, headers, payload)] * 50
    finished = run_cli(loaded.path)
    assert finished.returncode == 1, finished.stderr
    assert "Traceback" not in finished.stderr
    assert "failed after 3 attempts (last: the answer" in finished.stderr


@pytest.mark.parametrize(
    "usage",
    [{"prompt_tokens": None, "completion_tokens": None}, None, "n/a", {"prompt_tokens": -1}],
)
def test_unusable_usage_is_not_counted(
    loaded: LoadedConfig, server: ChatServer, usage: Any
) -> None:
    def answer(body: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        status, headers, payload = variations(body)
        return status, headers, {**payload, "usage": usage}

    server.script = [answer]
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.error is None
    assert (result.prompt_tokens, result.completion_tokens) == (0, 0)


def test_null_content_is_asked_again(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [lambda _: completion(None)]  # type: ignore[arg-type]
    result = generate(loaded, limit=1)
    assert len(result.inputs_file.inputs) == 1 and result.requests == 2
    assert server.requests[-1][1]["messages"][-1]["content"].startswith("That was not")


@pytest.mark.parametrize("enabled_line", ["    enabled: false\n", ""])
def test_llm_mode_with_llm_disabled_is_a_config_error(
    loaded: LoadedConfig, server: ChatServer, enabled_line: str
) -> None:
    loaded.path.write_text(loaded.path.read_text().replace("    enabled: true\n", enabled_line))
    finished = run_cli(loaded.path)
    assert finished.returncode == 2 and server.requests == []
    assert "input_generation.mode is llm but input_generation.llm.enabled is false" in (
        finished.stderr
    )
    assert "Traceback" not in finished.stderr


def test_mode_llm_flag_with_llm_disabled_makes_no_request(
    loaded: LoadedConfig, server: ChatServer
) -> None:
    text = loaded.path.read_text().replace("  mode: llm\n", "  mode: deterministic\n")
    loaded.path.write_text(text.replace("    enabled: true\n", "    enabled: false\n"))
    # In config words: the TUI shows this message too, where there is no --mode flag.
    with pytest.raises(
        GenerationError,
        match=r"input_generation\.mode llm asks for LLM calls but input_generation\.llm\.enabled"
        r" is false",
    ) as raised:
        generate(load_config(loaded.path), mode="llm")
    assert "--" not in str(raised.value)
    assert server.requests == []
    assert len(generate(load_config(loaded.path)).inputs_file.inputs) == 4
