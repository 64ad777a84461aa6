"""A conversation's turns as the run detail shows them: a chat transcript, each agent turn
with its status, time, callback calls and spans."""

from __future__ import annotations

import json
from typing import Any

from rich.text import Text

from fluxloop_core.redaction import redactor
from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.turns import Turn, UnreadableTurns, read_turns
from fluxloop_tui.widgets.table import status_text

USER_STYLE = "bold cyan"
AGENT_STYLE = "bold magenta"
DETAIL_STYLE = "dim"
INDENT = "    "


def _content(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=2)


def _indented(text: str) -> str:
    return "\n".join(INDENT + line for line in text.splitlines() or [""])


def _turn_lines(turn: Turn, number: int, hide: Any) -> list[Text]:
    if turn.role != "assistant":
        source = f" ({turn.source})" if turn.source else ""
        return [
            Text.assemble(("user", USER_STYLE), (hide(source), DETAIL_STYLE)),
            Text(hide(_indented(_content(turn.content)))),
        ]
    head = Text.assemble(
        ("agent", AGENT_STYLE),
        f"  turn {number}  ",
        status_text(turn.status),
        (f"  {turn.duration_ms:.1f} ms", DETAIL_STYLE),
    )
    lines = [head]
    if turn.content is not None or turn.error is None:  # a turn that raised said nothing
        lines.append(Text(hide(_indented(_content(turn.content)))))
    for call in turn.callback_calls:
        sent = json.dumps(call.args, ensure_ascii=False)
        lines.append(
            Text(hide(f"{INDENT}↳ {call.parameter} ({call.provider}): {sent}"), DETAIL_STYLE)
        )
    if turn.spans:
        names = ", ".join(str(span.get("name")) for span in turn.spans)
        lines.append(Text(hide(f"{INDENT}spans: {names}"), DETAIL_STYLE))
    if turn.error is not None:
        lines.append(Text(hide(f"{INDENT}error: {turn.error.type}: {turn.error.message}"), "red"))
    return lines


def conversation_heading(record: TraceRecord) -> str | None:
    """``persona P, N agent turns, ended: REASON (detail)``; None for a single call."""
    extra = record.model_extra or {}
    if "turns" not in extra:
        return None
    detail = extra.get("termination_detail")
    ended = f"{extra.get('termination_reason')}" + (f" ({detail})" if detail else "")
    return (
        f"conversation  persona {extra.get('persona')}  {extra.get('turn_count')} agent "
        f"turns  ended: {ended}"
    )


def transcript_text(record: TraceRecord) -> Text | None:
    """The conversation of ``record`` as a chat transcript (every secret hidden); None for
    a single call."""
    hide = redactor().text
    try:
        turns = read_turns(record)
    except UnreadableTurns as exc:
        return Text(str(exc), style="red")
    if turns is None:
        return None
    lines: list[Text] = []
    agent_turns = 0
    for turn in turns:
        if turn.role == "assistant":
            agent_turns += 1
        lines.extend(_turn_lines(turn, agent_turns, hide))
    return Text("\n").join(lines)
