"""What one run's report holds, independent of the format it is written in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from fluxloop_core.results.models import TraceRecord
from fluxloop_core.results.rows import usage_lines

SPAN_ROWS = 500
"""A run with more spans shows its first ones and says how many are left out."""
VALUE_CHARS = 20_000
"""Each value (output, argument, span output) is cut to this many characters."""


@dataclass(frozen=True)
class Section:
    """A titled part of a report: preformatted text, or a table with a header row."""

    title: str
    kind: Literal["text", "table"]
    text: str = ""
    rows: tuple[tuple[str, ...], ...] = ()


def as_text(value: Any) -> str:
    """A value as readable text: strings as they are, the rest as indented JSON; cut."""
    text = value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
    if len(text) > VALUE_CHARS:
        text = text[:VALUE_CHARS] + f"\n… ({len(text) - VALUE_CHARS} more characters)"
    return text


def _time(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _ms(value: Any) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return ""
    return f"{value:.1f}" if abs(value) >= 1 else f"{value:.3f}"


def timeline_rows(spans: list[dict[str, Any]], run_start: str) -> tuple[tuple[str, ...], ...]:
    """One row per span, by start: offset from the run's start, duration, name indented
    under its parent, kind, status. Spans are the agent's data: any field may be missing."""
    origin = _time(run_start)
    parents = {str(s.get("span_id")): s.get("parent_id") for s in spans if isinstance(s, dict)}

    def depth(span: dict[str, Any]) -> int:
        level, parent, seen = 0, span.get("parent_id"), set()
        while parent is not None and str(parent) in parents and parent not in seen:
            seen.add(parent)
            level += 1
            parent = parents[str(parent)]
        return level

    ordered = sorted(
        (s for s in spans if isinstance(s, dict)), key=lambda s: str(s.get("start", ""))
    )
    rows = [("start ms", "duration ms", "span", "kind", "status")]
    for span in ordered[:SPAN_ROWS]:
        start = _time(span.get("start"))
        offset = (start - origin).total_seconds() * 1000 if start and origin else None
        rows.append(
            (
                _ms(offset),
                _ms(span.get("duration_ms")),
                "  " * depth(span) + str(span.get("name", "?")),
                str(span.get("kind", "")),
                str(span.get("status", "")),
            )
        )
    if len(ordered) > SPAN_ROWS:
        rows.append(("", "", f"… {len(ordered) - SPAN_ROWS} more spans", "", ""))
    return tuple(rows)


def run_sections(record: TraceRecord, replayed: dict[str, Any] | None) -> list[Section]:
    """The sections of one run's report, in reading order."""
    facts = [
        ("run", record.run_id),
        ("status", record.status),
        ("iteration", str(record.iteration)),
        ("started", record.started_at),
        ("duration ms", f"{record.duration_ms:.1f}"),
        ("attempts", str(record.attempts)),
    ]
    if record.replay_source is not None:
        source = record.replay_source
        facts.append(("replayed from", f"{source.recording_file}:{source.line_number}"))
    sections = [
        Section("Run", "table", rows=(("field", "value"), *facts)),
        Section("Input", "text", text=record.input),
    ]
    if record.input_metadata:
        sections.append(Section("Input metadata", "text", text=as_text(record.input_metadata)))
    if record.replay_source is not None:
        text = (
            as_text(replayed)
            if replayed is not None
            else "(the recording line could not be read: moved, changed or deleted)"
        )
        sections.append(Section("Replayed arguments", "text", text=text))
    if record.spans:
        sections.append(
            Section("Timeline", "table", rows=timeline_rows(record.spans, record.started_at))
        )
    if record.callback_calls:
        rows = [("callback", "provider", "arguments", "at")]
        for call in record.callback_calls:
            arguments: Any = call.args if not call.kwargs else {"args": call.args, **call.kwargs}
            rows.append((call.parameter, call.provider, as_text(arguments), call.timestamp))
        sections.append(Section("Callback calls", "table", rows=tuple(rows)))
    usage = usage_lines(record)
    if usage:
        sections.append(Section("Usage", "text", text="\n".join(usage)))
    if record.output is not None:
        sections.append(Section("Output", "text", text=as_text(record.output)))
    if record.error is not None:
        error = record.error
        text = f"{error.type}: {error.message}"
        if error.traceback:
            text += "\n\n" + as_text(error.traceback)
        sections.append(Section("Error", "text", text=text))
    return sections
