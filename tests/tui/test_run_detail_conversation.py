"""The run detail of a conversation: a chat transcript with each agent turn's status,
time, callback calls, spans and error; secrets hidden; unreadable turns said so."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from tui_helpers import make_app, settle

from fluxloop_core.results.models import TraceRecord
from fluxloop_tui.demo_conversation import add_conversation_experiment
from fluxloop_tui.screens.experiments import RunDetailScreen, RunsScreen
from fluxloop_tui.widgets.transcript import transcript_text

# The conversations experiment is older than the demo's: the second row.
TO_FIRST_RUN = ["down", "enter", "enter"]


def shown(app: Any, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


async def _detail(project: Path, keys: list[str]) -> tuple[str, str, str]:
    app = make_app(project)
    async with app.run_test(size=(120, 60)) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert isinstance(app.screen, RunDetailScreen)
        text = shown(app, "#detail-text") if app.screen.query("#detail-text") else ""
        return shown(app, "#detail-run"), shown(app, "#detail-transcript"), text


def test_a_conversation_reads_as_a_chat(project: Path) -> None:
    add_conversation_experiment(project)
    heading, transcript, rest = asyncio.run(_detail(project, TO_FIRST_RUN))

    assert "conversation  persona impatient_customer  3 agent turns  ended: stop_condition" in (
        heading
    )
    lines = [line.rstrip() for line in transcript.splitlines()]
    assert lines[:4] == [
        "user (input)",
        "    Where is my order 1234?",
        "agent  turn 1  success  41.5 ms",
        "    Order 1234 is packed.",
    ]
    assert "user (persona:impatient_customer)" in lines
    second = lines.index("agent  turn 2  success  87.2 ms")
    assert lines[second + 1 : second + 4] == [
        "    Your order ships tomorrow.",
        '    ↳ send_message_callback (builtin:collector.send): [{"reply": "Your order ships '
        'tomorrow."}]',
        "    spans: lookup_order",
    ]
    assert lines[-1] == "    You are welcome!"
    assert "input:" not in rest  # the transcript replaces input and output


def test_an_agent_error_shows_on_its_turn(project: Path) -> None:
    add_conversation_experiment(project)
    heading, transcript, rest = asyncio.run(_detail(project, ["down", "enter", "down", "enter"]))

    assert "ended: agent_error" in heading
    assert "agent  turn 2  error  55.0 ms" in transcript
    assert "    error: ValueError: no such order: 999" in transcript
    assert "error: ValueError: no such order: 999" in rest


def test_a_single_call_keeps_its_input_and_output(project: Path) -> None:
    async def run() -> str:
        app = make_app(project)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, RunsScreen)
            await pilot.press("enter")
            await settle(pilot)
            assert not app.screen.query("#detail-transcript")
            return shown(app, "#detail-text")

    assert asyncio.run(run()).startswith("input:")


def _conversation(turns: Any) -> TraceRecord:
    return TraceRecord.model_validate(
        {
            "run_id": "0.0",
            "input_index": 0,
            "iteration": 0,
            "input": "hi",
            "status": "success",
            "started_at": "2025-09-29T12:00:00",
            "duration_ms": 1.0,
            "turns": turns,
        }
    )


def test_secrets_in_turns_are_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUPPORT_API_KEY", "sk-transcript-secret-5555")
    record = _conversation(
        [
            {"role": "user", "content": "my key is sk-transcript-secret-5555"},
            {"role": "assistant", "content": {"echo": "sk-transcript-secret-5555"}},
        ]
    )
    text = transcript_text(record)
    assert text is not None
    assert "sk-transcript-secret-5555" not in text.plain
    assert "my key is" in text.plain


@pytest.mark.parametrize("turns", ["oops", [{"content": "no role"}], [1, 2]])
def test_unreadable_turns_are_said_so(turns: Any) -> None:
    text = transcript_text(_conversation(turns))
    assert text is not None and text.plain == "this run's turns cannot be read"
