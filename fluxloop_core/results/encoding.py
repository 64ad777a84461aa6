"""What an experiment's files may hold: JSON every reader can read back, whatever an agent
returned.

An agent's output, error message, input or callback arguments can be nested thousands of
levels deep or hold lone surrogates (text UTF-8 cannot encode). Written as they are, such
values either fail to encode or make a line no reader can parse, so the run would be
counted but lost. :func:`encodable` copies a value iteratively with the SDK's
``to_jsonable`` (one walker for recordings and results), which puts markers in their place.
"""

from __future__ import annotations

import json
from typing import Any

from fluxloop.serialization import MAX_DEPTH, to_jsonable
from pydantic_core import from_json

from fluxloop_core.results.models import TraceRecord

# MAX_DEPTH is the one limit for every line FluxLoop writes or reads (recordings and
# traces alike): pydantic's JSON parser stops at 200 levels and its serializer at 255.
__all__ = ["MAX_DEPTH", "encodable", "record_line"]

# Nesting at which pydantic's JSON parser (the readers') refuses a line.
_PARSER_DEPTH = 200


def encodable(data: Any) -> Any:
    """``data`` as JSON data that encodes as UTF-8 and nests at most :data:`MAX_DEPTH`
    levels: deeper containers become ``"<too deep: ...>"``, text with lone surrogates
    ``"<lone surrogates escaped: ...>"``. Nothing is redacted here (the runner already
    serialized the agent's values with the SDK's redaction keys)."""
    return to_jsonable(data, redact_keys=(), max_depth=MAX_DEPTH)


def record_line(record: TraceRecord) -> tuple[TraceRecord, bytes]:
    """traces.jsonl's line for ``record`` (newline included), and the record as that line
    holds it — ``record`` itself, or a copy with markers when it had to be made encodable."""
    try:
        line = record.model_dump_json().encode()
        # The readers' own parser: a line it refuses must not be written as it is. Only
        # nesting can make it refuse a line the serializer wrote, and a line cannot nest
        # deeper than its count of opening brackets: counting them (C speed) spares almost
        # every run the parse. Most records pass; only the rest pay for the copy below.
        if line.count(b"[") + line.count(b"{") >= _PARSER_DEPTH:
            from_json(line)
        return record, line + b"\n"
    except ValueError:  # pydantic's serialization errors and the parser's are ValueErrors
        data = encodable(record.model_dump())
        text = json.dumps(data, ensure_ascii=False)
        return TraceRecord.model_validate(data), text.encode() + b"\n"
