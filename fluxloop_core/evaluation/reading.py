"""What a check reads from a run: its text (output, error or callbacks), parsed JSON, and
``{input}`` / ``{metadata.KEY}`` templates filled from the run's input.

A replay handler often answers through a callback (``send_message_callback(...)``) and
returns None; for such a run "the output" is the text it sent through its callbacks (the
calls to ``builtin:collector.error`` excepted: they report errors, not answers).

Everything is computed at most once per run and only when a check asks for it, so five
checks on one run read the output once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from fluxloop_core.results.models import CallbackCall, TraceRecord
from fluxloop_core.usage import RunUsage, run_usage

ERROR_PROVIDER = "builtin:collector.error"
MAX_LEAVES_DEPTH = 64
_PATH_TOKEN = re.compile(r"\.?([^.\[\]]+)|\[(-?\d+)\]")
_TEMPLATE = re.compile(r"\{(input|metadata\.[^{}\s]+)\}")
_MISSING = object()


class TemplateError(Exception):
    """A template names metadata the run's input does not have."""


def has_template(text: str) -> bool:
    """Whether ``text`` holds ``{input}`` or ``{metadata.KEY}``."""
    return _TEMPLATE.search(text) is not None


def fill_placeholders(text: str) -> str:
    """``text`` with every template replaced by a plain word: a regex with templates can
    be compiled (and a bad one refused) when the config is read."""
    return _TEMPLATE.sub("x", text)


def parse_json_path(path: str) -> tuple[str | int, ...]:
    """``"$.a.b[0]"`` or ``"a.b.0"`` -> ``("a", "b", 0)``; ValueError when malformed.

    A part made of digits is a list index (also written ``[N]``); ``$`` alone is the root.
    """
    text = path.strip()
    text = text[1:] if text.startswith("$") else text
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise ValueError(f"path {path!r} is not like $.a.b[0] (stuck at {text[position:]!r})")
        name, index = match.group(1), match.group(2)
        if index is not None:
            parts.append(int(index))
        elif name.lstrip("-").isdigit():
            parts.append(int(name))
        else:
            parts.append(name)
        position = match.end()
    return tuple(parts)


def follow_path(data: Any, parts: tuple[str | int, ...]) -> Any:
    """The value at ``parts`` inside ``data``, or ``MISSING`` (see :func:`is_missing`)."""
    current = data
    for part in parts:
        if isinstance(current, dict):
            key = str(part)
            if key not in current:
                return _MISSING
            current = current[key]
        elif isinstance(current, list) and isinstance(part, int):
            if not -len(current) <= part < len(current):
                return _MISSING
            current = current[part]
        else:
            return _MISSING
    return current


def is_missing(value: Any) -> bool:
    """Whether :func:`follow_path` found nothing."""
    return value is _MISSING


def value_text(value: Any) -> str:
    """A value as the text a check compares: strings as they are, None as "", other values
    as compact JSON (non-ASCII kept)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (ValueError, TypeError):
        return str(value)


def _leaves(value: Any) -> list[str]:
    # The strings and numbers inside a callback's arguments, in order: a message dict
    # {"type": "text", "content": "Hi"} reads as "text\nHi", which keywords can match.
    out: list[str] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int | float):
            out.append(str(item))
        elif depth < MAX_LEAVES_DEPTH and isinstance(item, dict):
            stack.extend((child, depth + 1) for child in reversed(list(item.values())))
        elif depth < MAX_LEAVES_DEPTH and isinstance(item, list):
            stack.extend((child, depth + 1) for child in reversed(item))
    return out


def calls_text(calls: list[CallbackCall]) -> str:
    """The text sent through ``calls``: each call's argument leaves, one per line."""
    lines: list[str] = []
    for call in calls:
        lines.extend(_leaves(call.args))
        lines.extend(_leaves(list(call.kwargs.values())))
    return "\n".join(lines)


class RunView:
    """One run as checks see it; every derived value is computed once, on first use."""

    __slots__ = (
        "_folded",
        "_folded_output",
        "_json",
        "_output",
        "_texts",
        "_usage",
        "_usage_read",
        "record",
    )

    def __init__(self, record: TraceRecord) -> None:
        self.record = record
        output = record.output
        self._output: str | None = output if type(output) is str else None
        self._folded_output: str | None = None
        self._texts: dict[str, str] | None = None
        self._folded: dict[str, str] | None = None
        self._json: Any = _MISSING
        self._usage: RunUsage | None = None
        self._usage_read = False

    def text(self, selector: str = "output") -> str:
        """The text ``selector`` names: output, error, callbacks, or callbacks.NAME / NAME."""
        if selector == "output":  # nearly every check reads the output: no dict for it
            if self._output is None:
                self._output = self._read(selector)
            return self._output
        if self._texts is None:
            self._texts = {}
        cached = self._texts.get(selector)
        if cached is None:
            cached = self._texts[selector] = self._read(selector)
        return cached

    @property
    def usage(self) -> RunUsage | None:
        """What the run's spans used: tokens, LLM calls, tool calls in order (None: none)."""
        if not self._usage_read:
            self._usage = run_usage(self.record.spans)
            self._usage_read = True
        return self._usage

    def folded(self, selector: str = "output") -> str:
        """:meth:`text` lower-cased (once, however many case-insensitive checks read it)."""
        if selector == "output":
            if self._folded_output is None:
                self._folded_output = self.text(selector).lower()
            return self._folded_output
        if self._folded is None:
            self._folded = {}
        cached = self._folded.get(selector)
        if cached is None:
            cached = self._folded[selector] = self.text(selector).lower()
        return cached

    def _read(self, selector: str) -> str:
        record = self.record
        if selector == "output":
            if record.output is None and record.callback_calls:
                return calls_text(
                    [c for c in record.callback_calls if c.provider != ERROR_PROVIDER]
                )
            return value_text(record.output)
        if selector == "error":
            error = record.error
            return "" if error is None else f"{error.type}: {error.message}"
        if selector == "callbacks":
            return calls_text(record.callback_calls)
        return calls_text(self.calls(selector))

    def calls(self, name: str) -> list[CallbackCall]:
        """The calls made to the callback parameter ``name`` (``callbacks.`` prefix allowed)."""
        name = name.removeprefix("callbacks.")
        return [call for call in self.record.callback_calls if call.parameter == name]

    def json_value(self) -> tuple[bool, Any]:
        """(True, value) when the output is JSON: already a dict/list, or a string that
        parses; (False, reason) otherwise."""
        if self._json is _MISSING:
            output = self.record.output
            if isinstance(output, dict | list):
                self._json = (True, output)
            else:
                text = self.text("output")
                try:
                    self._json = (True, json.loads(text))
                except json.JSONDecodeError as exc:
                    self._json = (False, f"not JSON ({exc.msg} at char {exc.pos})")
                except RecursionError:
                    self._json = (False, "not JSON (nested too deeply)")
        result: tuple[bool, Any] = self._json
        return result

    def fill(self, template: str, escape: Callable[[str], str] | None = None) -> str:
        """``template`` with ``{input}`` and ``{metadata.KEY}`` replaced for this run.

        A metadata key may be a dot path (``{metadata.user.tier}``); a missing one raises
        TemplateError, which graders count as a grading error, not a fail. ``escape``
        (e.g. ``re.escape``) is applied to each value put in.
        """

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if name == "input":
                value = self.record.input
            else:
                key = name.removeprefix("metadata.")
                found = follow_path(self.record.input_metadata, tuple(key.split(".")))
                if is_missing(found):
                    raise TemplateError(f"{{{name}}}: this input has no metadata {key!r}")
                value = value_text(found)
            return escape(value) if escape is not None else value

        return _TEMPLATE.sub(substitute, template)
