"""Compiled checks: built once from the spec, then called on every run.

Everything that can be done once is done at compile time (regexes compiled, keywords
lowered, JSON paths parsed, python functions imported), so a check on a run costs a few
microseconds. A check returns a :class:`CheckOutcome`; a passing check returns the same
prebuilt outcome object every time.

A check that cannot be graded on a run (a template naming metadata the input lacks, a
python check that raises) returns an outcome with ``grading_error`` set: counted and shown
apart from fails, never a silent 0.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fluxloop_core.counts import counted
from fluxloop_core.errors import ConfigError, TargetError
from fluxloop_core.evaluation import spec as s
from fluxloop_core.evaluation.reading import (
    RunView,
    TemplateError,
    follow_path,
    has_template,
    is_missing,
    parse_json_path,
    value_text,
)
from fluxloop_core.results.rows import clip
from fluxloop_core.runner.target import SysPath, load_target

SIMILARITY_MAX_CHARS = 10_000
"""difflib is quadratic in the worst case: longer texts are compared on their first part."""
_REGEX_CACHE_SIZE = 1024


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """One check's result on one run."""

    name: str
    passed: bool
    score: float
    reason: str | None = None
    grading_error: bool = False

    def to_json(self) -> dict[str, Any]:
        """The outcome as stored in evaluation/results.jsonl."""
        data: dict[str, Any] = {"name": self.name, "passed": self.passed, "score": self.score}
        if self.reason is not None:
            data["reason"] = self.reason
        if self.grading_error:
            data["grading_error"] = True
        return data


class Check:
    """A compiled check. ``applies_to_errors``: graded on runs whose agent raised."""

    __slots__ = ("applies_to_errors", "name", "passing")

    def __init__(self, name: str, *, applies_to_errors: bool = False) -> None:
        self.name = name
        self.applies_to_errors = applies_to_errors
        self.passing = CheckOutcome(name, True, 1.0)
        """The outcome of every plain pass: one object, so a pass is recognised by identity."""

    def rename(self, name: str) -> None:
        """Give the check another display name (kept unique by the plan)."""
        self.name = name
        self.passing = CheckOutcome(name, True, 1.0)

    def __call__(self, run: RunView) -> CheckOutcome:
        try:
            return self.grade(run)
        except TemplateError as exc:
            return self.error(str(exc))

    def grade(self, run: RunView) -> CheckOutcome:
        """The outcome on ``run`` (subclasses)."""
        raise NotImplementedError

    def fail(self, reason: str, score: float = 0.0) -> CheckOutcome:
        """A failing outcome."""
        return CheckOutcome(self.name, False, score, reason)

    def error(self, reason: str) -> CheckOutcome:
        """The check could not be graded on this run."""
        return CheckOutcome(self.name, False, 0.0, reason, grading_error=True)

    def concurrency(self) -> int:
        """How many runs are worth grading at once in worker threads: 0 for a check that
        computes (it grades inline); a check that waits on an endpoint says how many."""
        return 0

    def close(self) -> None:
        """Let go of what the check holds (an endpoint's connections); idempotent."""


class _Param:
    """A text parameter that may hold templates: filled per run only when it does."""

    __slots__ = ("fold", "static", "text")

    def __init__(self, text: str, *, fold: bool = False) -> None:
        self.fold = fold
        self.text = text
        self.static = None if has_template(text) else (text.lower() if fold else text)

    def value(self, run: RunView) -> str:
        if self.static is not None:
            return self.static
        filled = run.fill(self.text)
        return filled.lower() if self.fold else filled


class SuccessCheck(Check):
    __slots__ = ()

    def grade(self, run: RunView) -> CheckOutcome:
        record = run.record
        if record.status == "success":
            return self.passing
        if record.error is not None:
            return self.fail(f"{record.status}: {record.error.type}: {clip(record.error.message)}")
        return self.fail(record.status)


class _TextCheck(Check):
    __slots__ = ("on",)

    def __init__(self, name: str, on: str) -> None:
        super().__init__(name, applies_to_errors=on == "error")
        self.on = on


class OutputNotEmptyCheck(_TextCheck):
    __slots__ = ()

    def grade(self, run: RunView) -> CheckOutcome:
        text = run.text(self.on)
        if text and not text.isspace():  # no stripped copy of a long output
            return self.passing
        return self.fail(f"{self.on} is empty")


class EqualsCheck(_TextCheck):
    __slots__ = ("expected", "strip")

    def __init__(self, spec: s.EqualsCheck) -> None:
        super().__init__(spec.label, spec.on)
        self.strip = spec.strip
        self.expected = _Param(
            spec.value.strip() if spec.strip else spec.value, fold=not spec.case_sensitive
        )

    def grade(self, run: RunView) -> CheckOutcome:
        text = run.folded(self.on) if self.expected.fold else run.text(self.on)
        if self.strip:
            text = text.strip()
        expected = self.expected.value(run)
        if text == expected:
            return self.passing
        return self.fail(f"{self.on} {clip(text, 40)!r} is not {clip(expected, 40)!r}")


class ContainsCheck(_TextCheck):
    __slots__ = ("all_mode", "fold", "keywords", "mode", "negate", "static")

    def __init__(self, spec: s.ContainsCheck | s.NotContainsCheck) -> None:
        super().__init__(spec.label, spec.on)
        self.fold = not spec.case_sensitive
        self.keywords = [_Param(k, fold=self.fold) for k in spec.keywords]
        # Without templates the keywords are fixed: compare them directly (the common case).
        static = [k.static for k in self.keywords]
        self.static = None if None in static else [k for k in static if k is not None]
        self.mode = spec.mode
        self.all_mode = spec.mode == "all"
        self.negate = isinstance(spec, s.NotContainsCheck)

    def grade(self, run: RunView) -> CheckOutcome:
        text = run.folded(self.on) if self.fold else run.text(self.on)
        words = self.static if self.static is not None else [k.value(run) for k in self.keywords]
        if self.all_mode:  # the usual form: decide without building lists
            if self.negate:
                for word in words:
                    if word in text:
                        break
                else:
                    return self.passing
            else:
                for word in words:
                    if word not in text:
                        break
                else:
                    return self.passing
        if self.negate:
            present = [word for word in words if word in text]
            if not present or (self.mode == "any" and len(present) < len(words)):
                return self.passing
            shown = [k.text for k in self.keywords if (k.static or k.value(run)) in present]
            return self.fail(f"{self.on} contains {', '.join(map(repr, shown))}")
        missing = [word for word in words if word not in text]
        if not missing or (self.mode == "any" and len(missing) < len(words)):
            return self.passing
        shown = [k.text for k in self.keywords if (k.static or k.value(run)) in missing]
        return self.fail(
            f"{self.on} lacks {', '.join(map(repr, shown))}",
            (len(words) - len(missing)) / len(words),
        )


class StartsWithCheck(_TextCheck):
    __slots__ = ("prefix",)

    def __init__(self, spec: s.StartsWithCheck) -> None:
        super().__init__(spec.label, spec.on)
        self.prefix = _Param(spec.prefix, fold=not spec.case_sensitive)

    def grade(self, run: RunView) -> CheckOutcome:
        text = (run.folded(self.on) if self.prefix.fold else run.text(self.on)).lstrip()
        prefix = self.prefix.value(run)
        if text.startswith(prefix):
            return self.passing
        return self.fail(f"{self.on} starts {clip(text, 30)!r}, not {clip(prefix, 30)!r}")


class MatchesRegexCheck(_TextCheck):
    __slots__ = ("cache", "flags", "pattern", "regex")

    def __init__(self, spec: s.MatchesRegexCheck) -> None:
        super().__init__(spec.label, spec.on)
        self.pattern = spec.pattern
        self.flags = spec.flag_bits
        self.regex = None if has_template(spec.pattern) else re.compile(spec.pattern, self.flags)
        self.cache: dict[str, re.Pattern[str]] = {}

    def _compiled(self, run: RunView) -> re.Pattern[str]:
        if self.regex is not None:
            return self.regex
        # The input and metadata are matched literally, not as regex syntax.
        filled = run.fill(self.pattern, escape=re.escape)
        compiled = self.cache.get(filled)
        if compiled is None:
            if len(self.cache) >= _REGEX_CACHE_SIZE:
                self.cache.clear()
            compiled = self.cache[filled] = re.compile(filled, self.flags)
        return compiled

    def grade(self, run: RunView) -> CheckOutcome:
        if self._compiled(run).search(run.text(self.on)) is not None:
            return self.passing
        return self.fail(f"{self.on} does not match {self.pattern!r}")


class IsJsonCheck(Check):
    __slots__ = ("required",)

    def __init__(self, spec: s.IsJsonCheck) -> None:
        super().__init__(spec.label)
        self.required = spec.required_keys

    def grade(self, run: RunView) -> CheckOutcome:
        ok, value = run.json_value()
        if not ok:
            return self.fail(f"output is {value}")
        if self.required:
            if not isinstance(value, dict):
                return self.fail(f"output is JSON but not an object (a {type(value).__name__})")
            missing = [key for key in self.required if key not in value]
            if missing:
                return self.fail(
                    f"output lacks key{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
                )
        return self.passing


class JsonPathCheck(Check):
    __slots__ = ("compare", "expected", "parts", "path")

    def __init__(self, spec: s.JsonPathCheck) -> None:
        super().__init__(spec.label)
        self.path = spec.path
        self.parts = parse_json_path(spec.path)
        self.compare = "equals" in spec.model_fields_set
        self.expected = spec.equals

    def grade(self, run: RunView) -> CheckOutcome:
        ok, document = run.json_value()
        if not ok:
            return self.fail(f"output is {document}")
        value = follow_path(document, self.parts)
        if is_missing(value):
            return self.fail(f"{self.path} not found in the output")
        expected = self.expected
        if isinstance(expected, str) and has_template(expected):
            expected = run.fill(expected)
        if not self.compare or value == expected:
            return self.passing
        return self.fail(
            f"{self.path} is {clip(value_text(value), 40)}, not {clip(value_text(expected), 40)}"
        )


class LatencyUnderCheck(Check):
    __slots__ = ("budget",)

    def __init__(self, spec: s.LatencyUnderCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.budget = spec.budget_ms

    def grade(self, run: RunView) -> CheckOutcome:
        took = run.record.duration_ms
        if took <= self.budget:  # at the budget passes, as in upstream 0.2.x
            return self.passing
        return self.fail(f"took {took:.0f} ms, budget {self.budget:g} ms", self.budget / took)


class SimilarityCheck(_TextCheck):
    __slots__ = ("expected", "min_score")

    def __init__(self, spec: s.SimilarityCheck) -> None:
        super().__init__(spec.label, spec.on)
        self.expected = _Param(spec.expected)
        self.min_score = spec.min_score

    def grade(self, run: RunView) -> CheckOutcome:
        text = run.text(self.on)[:SIMILARITY_MAX_CHARS]
        expected = self.expected.value(run)[:SIMILARITY_MAX_CHARS]
        score = difflib.SequenceMatcher(None, expected, text).ratio()
        if score >= self.min_score:
            return CheckOutcome(self.name, True, score)
        return self.fail(f"similarity {score:.2f} below {self.min_score:g}", score)


class CallbackCalledCheck(Check):
    __slots__ = ("contains", "min_count", "parameter")

    def __init__(self, spec: s.CallbackCalledCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.parameter = spec.name
        self.min_count = spec.min_count
        self.contains = _Param(spec.contains) if spec.contains is not None else None

    def grade(self, run: RunView) -> CheckOutcome:
        calls = run.calls(self.parameter)
        if len(calls) < self.min_count:
            return self.fail(
                # The check's name (callback_called:NAME) says which callback.
                f"called {counted(len(calls), 'time')}, expected at least {self.min_count}"
            )
        if self.contains is not None:
            needle = self.contains.value(run)
            if needle not in run.text(f"callbacks.{self.parameter}"):
                return self.fail(f"no call sent {clip(needle, 40)!r}")
        return self.passing


class TokenUsageUnderCheck(Check):
    __slots__ = ("count", "limit")

    def __init__(self, spec: s.TokenUsageUnderCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.limit = spec.max_tokens
        self.count = spec.count

    def grade(self, run: RunView) -> CheckOutcome:
        usage = run.usage
        if usage is None:
            return self.passing
        used = {
            "total": usage.input_tokens + usage.output_tokens,
            "input": usage.input_tokens,
            "output": usage.output_tokens,
        }[self.count]
        if used <= self.limit:
            return self.passing
        what = "tokens" if self.count == "total" else f"{self.count} tokens"
        return self.fail(f"used {used} {what}, at most {self.limit}", self.limit / used)


class CostUnderCheck(Check):
    __slots__ = ("limit",)

    def __init__(self, spec: s.CostUnderCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.limit = spec.max_usd

    def grade(self, run: RunView) -> CheckOutcome:
        if run.usage is None or not run.usage.llm_calls:
            return self.passing  # no LLM call: nothing spent
        cost = run.record.cost_usd
        if cost is None:
            unpriced = ", ".join(run.usage.tokens)
            return self.error(f"cost unknown: no price for {unpriced} in pricing:")
        if cost <= self.limit:
            return self.passing
        return self.fail(f"cost ${cost:.6f}, at most ${self.limit:g}", self.limit / cost)


def _tool_calls(run: RunView) -> dict[str, int]:
    return run.usage.tool_calls if run.usage is not None else {}


class ToolCalledCheck(Check):
    __slots__ = ("min_count", "tool")

    def __init__(self, spec: s.ToolCalledCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.tool = spec.name
        self.min_count = spec.min_count

    def grade(self, run: RunView) -> CheckOutcome:
        calls = _tool_calls(run).get(self.tool, 0)
        if calls >= self.min_count:
            return self.passing
        # The check's name (tool_called:NAME) says which tool.
        return self.fail(f"called {counted(calls, 'time')}, expected at least {self.min_count}")


class ToolNotCalledCheck(Check):
    __slots__ = ("tool",)

    def __init__(self, spec: s.ToolNotCalledCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.tool = spec.name

    def grade(self, run: RunView) -> CheckOutcome:
        calls = _tool_calls(run).get(self.tool, 0)
        return self.passing if not calls else self.fail(f"called {counted(calls, 'time')}")


class ToolSequenceCheck(Check):
    __slots__ = ("exact", "names")

    def __init__(self, spec: s.ToolSequenceCheck) -> None:
        super().__init__(spec.label, applies_to_errors=True)
        self.names = spec.names
        self.exact = spec.mode == "exact"

    def grade(self, run: RunView) -> CheckOutcome:
        sequence = run.usage.tool_sequence if run.usage is not None else []
        if self.exact:
            ok = sequence == self.names
        else:
            remaining = iter(sequence)  # each expected name found after the one before
            ok = all(name in remaining for name in self.names)
        if ok:
            return self.passing
        called = " → ".join(sequence[:12]) + (" → …" if len(sequence) > 12 else "")
        return self.fail(f"tools called: {called or 'none'}")


PythonFunction = Callable[[str, Any], Any]


def _unit(value: Any) -> bool:
    # A score is a real number in [0, 1]: not a bool, not NaN or infinite.
    return isinstance(value, int | float) and not isinstance(value, bool) and 0 <= value <= 1


class PythonCheck(_TextCheck):
    __slots__ = ("function", "min_score", "spec")

    def __init__(self, spec: s.PythonCheck, function: PythonFunction) -> None:
        super().__init__(spec.label, spec.on)
        self.spec = spec.function
        self.function = function
        self.min_score = spec.min_score

    def grade(self, run: RunView) -> CheckOutcome:
        try:
            result = self.function(run.text(self.on), run.record)
        except Exception as exc:
            return self.error(f"{self.spec} raised {type(exc).__name__}: {clip(str(exc))}")
        return self._interpret(result)

    def _interpret(self, result: Any) -> CheckOutcome:
        # bool, a score in [0, 1], (passed, score[, reason]) or {"passed", "score", "reason"}.
        if isinstance(result, dict):
            result = (result.get("passed"), result.get("score"), result.get("reason"))
        if isinstance(result, tuple | list) and 1 <= len(result) <= 3:
            passed, score, reason = (*result, None, None)[:3]
        else:
            passed, score, reason = result, None, None
        if isinstance(passed, bool) and (score is None or _unit(score)):
            value = float(score) if score is not None else (1.0 if passed else 0.0)
            return CheckOutcome(self.name, passed, value, None if reason is None else str(reason))
        if _unit(passed):
            score = float(passed)
            if score >= self.min_score:
                return CheckOutcome(self.name, True, score)
            return self.fail(f"score {score:.2f} below {self.min_score:g}", score)
        return self.error(
            f"{self.spec} returned {clip(repr(result), 60)}; return a bool, a score in [0, 1], "
            "or (passed, score, reason)"
        )


def _import_function(
    spec: s.PythonCheck, key: str, working_directory: Path | None
) -> PythonFunction:
    try:
        if working_directory is None:
            target = load_target(spec.function)
        else:
            with SysPath(working_directory):
                target = load_target(spec.function, working_directory)
    except TargetError as exc:
        raise ConfigError(
            exc.message.replace("runner.target", "function"), key=f"{key}.function", hint=exc.hint
        ) from None
    if target.is_async:
        raise ConfigError(
            f"{spec.function} is async; a python check must be a plain function",
            key=f"{key}.function",
            hint="Define it with `def`, not `async def`.",
        )
    function: PythonFunction = target.bind()  # Class.method: one instance for all runs
    return function


# Checks built from their spec alone, by the spec's type.
_MADE_FROM_SPEC: dict[type[s.CheckBase], Callable[[Any], Check]] = {
    s.EqualsCheck: EqualsCheck,
    s.ContainsCheck: ContainsCheck,
    s.NotContainsCheck: ContainsCheck,
    s.StartsWithCheck: StartsWithCheck,
    s.MatchesRegexCheck: MatchesRegexCheck,
    s.IsJsonCheck: IsJsonCheck,
    s.JsonPathCheck: JsonPathCheck,
    s.LatencyUnderCheck: LatencyUnderCheck,
    s.SimilarityCheck: SimilarityCheck,
    s.CallbackCalledCheck: CallbackCalledCheck,
    s.TokenUsageUnderCheck: TokenUsageUnderCheck,
    s.CostUnderCheck: CostUnderCheck,
    s.ToolCalledCheck: ToolCalledCheck,
    s.ToolNotCalledCheck: ToolNotCalledCheck,
    s.ToolSequenceCheck: ToolSequenceCheck,
}


def compile_check(spec: s.CheckBase, *, key: str, working_directory: Path | None = None) -> Check:
    """The runnable form of one check. ``key`` is its config path (for the errors of a
    python check that cannot be imported: a ConfigError naming ``key.function``)."""
    if isinstance(spec, s.SuccessCheck):
        return SuccessCheck(spec.label, applies_to_errors=True)
    if isinstance(spec, s.OutputNotEmptyCheck):
        return OutputNotEmptyCheck(spec.label, spec.on)
    made_from_spec = _MADE_FROM_SPEC.get(type(spec))
    if made_from_spec is not None:
        return made_from_spec(spec)
    if isinstance(spec, s.PythonCheck):
        return PythonCheck(spec, _import_function(spec, key, working_directory))
    raise TypeError(f"no compiled form for {type(spec).__name__}")
