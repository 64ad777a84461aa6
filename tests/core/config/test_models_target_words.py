"""How a target is named to people (the TUI's run screen, summaries): its kind said, its
secrets hidden."""

from __future__ import annotations

from typing import Any

import pytest

from fluxloop_core.config.models import RunnerConfig


@pytest.mark.parametrize(
    ("runner", "words"),
    [
        ({"target": "agent:run"}, "agent:run"),
        (
            {"http": {"url": "http://127.0.0.1:8080/chat"}},
            "POST http://127.0.0.1:8080/chat (an HTTP endpoint)",
        ),
        ({"command": ["node", "agent.js"]}, "node agent.js (a jsonl program)"),
        (
            {"command": ["python", "my agent.py"], "protocol": "per_run"},
            "python 'my agent.py' (a per_run program)",
        ),
    ],
)
def test_each_kind_of_target_is_named_with_its_kind(runner: dict[str, Any], words: str) -> None:
    assert RunnerConfig.model_validate(runner).target_words == words


def test_a_secret_in_a_url_is_not_named() -> None:
    secret = "sk-live-0123456789abcdef0123"
    runner = RunnerConfig.model_validate({"http": {"url": f"http://127.0.0.1/x?key={secret}"}})
    assert secret not in runner.target_words
