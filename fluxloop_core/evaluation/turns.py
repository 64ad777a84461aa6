"""Checks on a conversation's turns (``scope: any|every|transcript``) and ``turn_count``.

A conversation's trace line is an ordinary run whose ``output`` is the last reply, plus its
``turns`` (:mod:`fluxloop_core.runner.conversation`). ``scope: last`` (the default) grades
the run as it is. ``any`` and ``every`` grade the check on each agent turn seen as a run of
its own (that turn's reply, status, error, duration, callback calls and spans); ``transcript``
grades it on the whole conversation as text, one ``role: content`` line per message. A
single call has no turns: it is its own one turn, so every scope grades its output.
"""

from __future__ import annotations

from pathlib import Path

from fluxloop_core.evaluation import spec as s
from fluxloop_core.evaluation.checks import Check, CheckOutcome, compile_check
from fluxloop_core.evaluation.reading import RunView, value_text
from fluxloop_core.results.turns import UnreadableTurns, read_turns


def turn_views(run: RunView) -> list[RunView]:
    """Each agent turn of ``run`` as a run of its own (a single call: the run itself)."""
    turns = read_turns(run.record)
    if turns is None:
        return [run]
    return [
        RunView(
            run.record.model_copy(
                update={
                    "output": turn.content,
                    "status": turn.status,
                    "error": turn.error,
                    "duration_ms": turn.duration_ms,
                    "callback_calls": turn.callback_calls,
                    "spans": turn.spans,
                    "usage": None,
                    "cost_usd": None,
                }
            )
        )
        for turn in turns
        if turn.role == "assistant"
    ]


def transcript_view(run: RunView) -> RunView:
    """The whole conversation as one output: ``role: content`` lines (a single call: its
    input and output)."""
    turns = read_turns(run.record)
    if turns is None:
        record = run.record
        lines = [f"user: {record.input}", f"assistant: {value_text(record.output)}"]
    else:
        lines = [f"{turn.role}: {value_text(turn.content)}" for turn in turns]
    return RunView(run.record.model_copy(update={"output": "\n".join(lines)}))


def agent_turn_count(run: RunView) -> int:
    """Agent turns taken (a single call: one)."""
    turns = read_turns(run.record)
    return 1 if turns is None else sum(1 for turn in turns if turn.role == "assistant")


class ScopedCheck(Check):
    """A check graded on the turns ``scope`` names instead of the last reply."""

    __slots__ = ("inner", "on", "scope")

    def __init__(self, inner: Check, scope: s.Scope) -> None:
        super().__init__(inner.name, applies_to_errors=inner.applies_to_errors)
        self.inner = inner
        self.scope = scope
        self.on: str | None = getattr(inner, "on", None)

    def rename(self, name: str) -> None:
        """Rename both (the inner check's outcomes carry its name)."""
        super().rename(name)
        self.inner.rename(name)

    def grade(self, run: RunView) -> CheckOutcome:
        try:
            if self.scope == "transcript":
                return self._own(self.inner(transcript_view(run)))
            views = turn_views(run)
        except UnreadableTurns as exc:
            return self.error(str(exc))
        if not views:
            return self.fail("the conversation has no agent turn")
        # Turns are graded one by one and no further than the verdict needs: an LLM judge
        # costs a call a turn.
        if self.scope == "every":
            for number, view in enumerate(views, 1):
                outcome = self.inner(view)
                if not outcome.passed:
                    return self._at(number, outcome)
            return self.passing
        outcomes: list[CheckOutcome] = []
        for view in views:
            outcome = self.inner(view)
            if outcome.passed:
                return self.passing
            outcomes.append(outcome)
        errored = next((o for o in outcomes if o.grading_error), None)
        if errored is not None:
            return self.error(f"no agent turn passed; {errored.reason}")
        best = max(outcomes, key=lambda outcome: outcome.score)
        return self.fail(f"no agent turn passed (e.g. {best.reason})", best.score)

    def _own(self, outcome: CheckOutcome) -> CheckOutcome:
        return self.passing if outcome.passed else outcome

    def _at(self, number: int, outcome: CheckOutcome) -> CheckOutcome:
        reason = f"agent turn {number}: {outcome.reason}"
        if outcome.grading_error:
            return self.error(reason)
        return self.fail(reason, outcome.score)

    def concurrency(self) -> int:
        """The inner check's."""
        return self.inner.concurrency()

    def close(self) -> None:
        """Close the inner check."""
        self.inner.close()


class TurnCountCheck(Check):
    """``turn_count``: agent turns within ``min``..``max``."""

    __slots__ = ("high", "low")

    def __init__(self, spec: s.TurnCountCheck) -> None:
        super().__init__(spec.label)
        self.low = spec.min
        self.high = spec.max

    def grade(self, run: RunView) -> CheckOutcome:
        try:
            count = agent_turn_count(run)
        except UnreadableTurns as exc:
            return self.error(str(exc))
        if self.low is not None and count < self.low:
            return self.fail(f"{count} agent turns, fewer than {self.low}")
        if self.high is not None and count > self.high:
            return self.fail(f"{count} agent turns, more than {self.high}")
        return self.passing


def compile_scoped(spec: s.CheckBase, *, key: str, working_directory: Path | None = None) -> Check:
    """:func:`~fluxloop_core.evaluation.checks.compile_check`, graded on the turns the
    spec's ``scope`` names (the last reply: as it is)."""
    if isinstance(spec, s.TurnCountCheck):
        check: Check = TurnCountCheck(spec)
    else:
        check = compile_check(spec, key=key, working_directory=working_directory)
    return scoped(check, spec.scope)


def scoped(check: Check, scope: s.Scope) -> Check:
    """``check`` graded on the turns ``scope`` names (``last``: as it is)."""
    return check if scope == "last" else ScopedCheck(check, scope)
