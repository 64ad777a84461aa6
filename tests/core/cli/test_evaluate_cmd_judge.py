"""An llm_judge end to end through the CLI: `run experiment` grades each run with the
judge on 127.0.0.1, `evaluate experiment` grades again from the cache (no request), the
experiment's summary.json follows, and the key is nowhere in the output or the files."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from chat_server import ChatServer, judging, serving
from eval_project import fluxloop, write_project

KEY = "sk-judge-cli-secret-4242"
JUDGE = """  evaluators:
    - name: amount
      type: llm_judge
      prompt_template: "Q: {{input}} A: {{output}}"
input_generation:
  llm:
    enabled: {enabled}
    provider: local
    model: judge-model
    base_url: {base_url}
    max_retries: 1
"""
ENV = {"FLUXLOOP_LLM_API_KEY": KEY}


@pytest.fixture()
def server() -> Iterator[ChatServer]:
    with serving(judging) as chat:
        yield chat


def test_run_then_regrade_with_a_judge(tmp_path: Path, server: ChatServer) -> None:
    write_project(tmp_path, extra=JUDGE.format(enabled="true", base_url=server.base_url))
    run = fluxloop(
        "run",
        "experiment",
        "--config",
        "setting.yaml",
        "--no-collector",
        "--fail-under",
        "0.9",
        "--report",
        "junit,md,html",
        cwd=tmp_path,
        code=1,
        env=ENV,
    )
    (folder,) = (tmp_path / "experiments").iterdir()
    verdicts = [json.loads(line) for line in (folder / "evaluation" / "results.jsonl").open()]
    judged = {
        v["input"]: c["passed"] for v in verdicts for c in v["checks"] if c["name"] == "amount"
    }
    assert judged == {"What is my balance?": True, "Tell me a joke": False}
    # Two inputs, two iterations each: the second iteration of an input may be a cache hit.
    sent = len(server.requests)
    assert 2 <= sent <= 4
    assert all(body["temperature"] == 0 for _, body in server.requests)

    regrade = fluxloop(
        "evaluate",
        "experiment",
        "--fail-under",
        "0.5",
        "--fail-under-per-input",
        "0",
        cwd=tmp_path,
        code=0,
        env=ENV,
    )
    assert len(server.requests) == sent  # every judgement came from the cache
    summary = json.loads((folder / "summary.json").read_text())
    evaluation = json.loads((folder / "evaluation" / "summary.json").read_text())
    assert summary["evaluation"] == evaluation
    assert evaluation["gate"]["min_pass_rate"] == 0.5 and evaluation["passed_runs"] == 2

    shown = run.stdout + run.stderr + regrade.stdout + regrade.stderr
    stored = "".join(path.read_text() for path in folder.rglob("*") if path.is_file())
    assert KEY not in shown and KEY not in stored


def test_a_judge_with_llm_calls_off_is_exit_2_before_any_run(
    tmp_path: Path, server: ChatServer
) -> None:
    write_project(tmp_path, extra=JUDGE.format(enabled="false", base_url=server.base_url))
    result = fluxloop(
        "run", "experiment", "--config", "setting.yaml", "--no-collector", cwd=tmp_path, code=2
    )
    assert "setting.yaml:" in result.stderr and "evaluation.evaluators[0]" in result.stderr
    assert "input_generation.llm.enabled is false" in result.stderr
    assert not (tmp_path / "experiments").exists() and server.requests == []
