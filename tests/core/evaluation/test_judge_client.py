"""The llm_judge against a real chat-completions server on 127.0.0.1 (not a mock of the
client): answers, retries, grading errors, the cache, the budget, the switch and the key."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chat_server import ChatServer, completion, judging, serving
from eval_helpers import record

from fluxloop_core.config.loader import LoadedConfig, load_config
from fluxloop_core.errors import ConfigError
from fluxloop_core.evaluation.verdicts import EvaluationPlan, RunVerdict
from fluxloop_core.generation import client
from fluxloop_core.preflight import grading_plan

KEY = "sk-judge-secret-98765"
SETTING = """
name: judged
runner:
  target: "agent:run"
base_inputs:
  - input: "What is my balance?"
input_generation:
  llm:
    enabled: {enabled}
    provider: local
    model: gen-model
    base_url: {base_url}
    timeout_seconds: 2
    max_retries: 2
    concurrency: {concurrency}
evaluation:
  evaluators:
    - name: amount
      type: llm_judge
      model: judge-model
      prompt_template: "Question: {{input}}\\nAnswer: {{output}}"
{limits}"""


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    with serving(judging) as chat:
        yield chat


def project(
    folder: Path,
    server: ChatServer,
    *,
    enabled: bool = True,
    limits: str = "",
    concurrency: int = 4,
) -> LoadedConfig:
    (folder / "setting.yaml").write_text(
        SETTING.format(
            enabled=str(enabled).lower(),
            base_url=server.base_url,
            limits=limits,
            concurrency=concurrency,
        )
    )
    return load_config(folder / "setting.yaml")


@pytest.fixture()
def loaded(tmp_path: Path, server: ChatServer, monkeypatch: pytest.MonkeyPatch) -> LoadedConfig:
    monkeypatch.setattr(client, "BACKOFF_BASE_SECONDS", 0.01)
    monkeypatch.setenv("FLUXLOOP_LLM_API_KEY", KEY)
    return project(tmp_path, server)


def plan_of(loaded: LoadedConfig) -> EvaluationPlan:
    plan = grading_plan(loaded)
    assert plan is not None
    return plan


def grade(loaded: LoadedConfig, *outputs: str) -> list[RunVerdict]:
    plan = plan_of(loaded)
    try:
        return [plan.grade(record(output, input_index=i)) for i, output in enumerate(outputs)]
    finally:
        plan.close()


def only(verdict: RunVerdict) -> tuple[bool, float, str | None, bool]:
    (outcome,) = verdict.outcomes
    return outcome.passed, outcome.score, outcome.reason, outcome.grading_error


def test_pass_fail_and_scores_at_temperature_zero(loaded: LoadedConfig, server: ChatServer) -> None:
    good, bad = grade(loaded, "Your balance is 42 USD", "I cannot help")
    assert only(good) == (True, 1.0, "names the amount", False) and good.passed
    assert only(bad) == (False, 0.2, "no amount given", False) and not bad.passed
    headers, body = server.requests[0]
    assert headers["authorization"] == f"Bearer {KEY}"
    # The evaluator's model over the project's; temperature 0 whatever generation uses.
    assert body["model"] == "judge-model" and body["temperature"] == 0
    assert body["messages"][1]["content"] == (
        "Question: What is my balance?\nAnswer: Your balance is 42 USD"
    )


def test_429_then_success_honours_retry_after(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [lambda _: (429, {"Retry-After": "0.3"}, {"error": {"message": "slow down"}})]
    (verdict,) = grade(loaded, "Your balance is 42 USD")
    assert verdict.passed and len(server.requests) == 2
    assert server.arrivals[1] - server.arrivals[0] >= 0.3


def test_malformed_answers_are_grading_errors(loaded: LoadedConfig, server: ChatServer) -> None:
    # Not a chat completion at all (retried like a 5xx, then given up) ...
    server.script = [lambda _: (200, {"Content-Type": "text/html"}, b"<html>busy</html>")] * 3
    (html,) = grade(loaded, "Your balance is 42 USD")
    passed, _, reason, error = only(html)
    assert error and not passed and not html.graded and len(server.requests) == 3
    assert reason is not None and "the answer was not JSON (text/html)" in reason
    # ... and a completion whose text is no verdict (not retried: the model answered).
    server.script = [lambda _: completion("I think it is fine")]
    (prose,) = grade(loaded, "Your balance is 42 USD")
    assert only(prose)[2] == "unreadable judgement: not a verdict: 'I think it is fine'"
    assert not prose.graded and len(server.requests) == 4


def test_exhausted_500s_are_a_grading_error_without_the_key(
    loaded: LoadedConfig, server: ChatServer
) -> None:
    server.script = [lambda _: (500, {}, {"error": {"message": f"bad key {KEY}"}})] * 3
    (verdict,) = grade(loaded, "Your balance is 42 USD")
    _, _, reason, error = only(verdict)
    assert error and not verdict.graded and len(server.requests) == 3
    assert reason == (
        f"the judge did not answer: {server.base_url} failed after 3 attempts (last: HTTP 500)"
    )


def test_secrets_echoed_by_the_server_are_redacted(
    loaded: LoadedConfig, server: ChatServer
) -> None:
    server.script = [lambda _: (400, {}, {"error": {"message": f"key {KEY} refused"}})]
    server.script.append(lambda _: completion(json.dumps({"passed": False, "reason": KEY})))
    refused, echoed = grade(loaded, "a", "b")
    assert KEY not in json.dumps([refused.to_json(), echoed.to_json()])
    assert "HTTP 400" in str(only(refused)[2]) and only(refused)[3]
    assert only(echoed)[:2] == (False, 0.0)


def test_cache_hits_make_no_request_and_cost_no_budget(
    tmp_path: Path, loaded: LoadedConfig, server: ChatServer
) -> None:
    limited = project(tmp_path, server, limits="  limits:\n    max_llm_calls: 2\n")
    first = grade(limited, "42 USD", "nothing")
    assert [v.graded for v in first] == [True, True] and len(server.requests) == 2
    # A new plan (a new budget of 2): the two known answers come from the disk cache.
    second = grade(limited, "42 USD", "nothing", "7 USD", "zero", "9 USD")
    assert [only(v)[:2] for v in second[:2]] == [only(v)[:2] for v in first]
    assert len(server.requests) == 4
    assert [v.graded for v in second] == [True, True, True, True, False]
    assert only(second[4])[2] == "max_llm_calls (2) reached; not judged"


def test_an_unreadable_answer_is_not_cached(loaded: LoadedConfig, server: ChatServer) -> None:
    server.script = [lambda _: completion("hmm")]
    (first,) = grade(loaded, "42 USD")
    (second,) = grade(loaded, "42 USD")
    assert not first.graded and second.passed and len(server.requests) == 2


def test_judge_calls_run_concurrently(
    tmp_path: Path, loaded: LoadedConfig, server: ChatServer
) -> None:
    # Each answer waits until a second request is in flight: judged one at a time, the
    # barrier breaks and the run is a grading error.
    barrier = threading.Barrier(2, timeout=10)

    def together(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        barrier.wait()
        return judging(request)

    server.fallback = together
    from fluxloop_core.evaluation.regrade import graded

    plan = plan_of(project(tmp_path, server, concurrency=2))
    try:
        verdicts = list(graded([record("1 USD"), record("2 USD", iteration=1)], plan))
    finally:
        plan.close()
    assert plan.grading_threads == 2
    assert [v.passed for v in verdicts] == [True, True]


def test_llm_disabled_is_a_config_error_at_the_evaluator(
    tmp_path: Path, loaded: LoadedConfig, server: ChatServer
) -> None:
    off = project(tmp_path, server, enabled=False)
    with pytest.raises(ConfigError) as caught:
        grading_plan(off)
    error = caught.value
    assert error.key == "evaluation.evaluators[0]" and error.line is not None
    assert "input_generation.llm.enabled is false" in error.message
    assert "enabled: false" in str(error.hint)
    assert server.requests == []


def test_no_key_is_a_config_error(
    loaded: LoadedConfig, server: ChatServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FLUXLOOP_LLM_API_KEY")
    with pytest.raises(ConfigError, match="no API key for provider 'local'") as caught:
        grading_plan(load_config(loaded.path))
    assert caught.value.key == "evaluation.evaluators[0]"
