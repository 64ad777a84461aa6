"""The ``llm_judge`` evaluator, transport aside: the prompt, the reading of the answer, the
call budget, and grading errors for every way a judge can fail to answer.

The HTTP side is a :class:`Transport` (messages in, the model's text out; raising when the
endpoint fails; a cache of readable answers). judge_client.py builds the real one on
generation's chat client; whoever builds the plan plugs it in
(``compile_plan(..., judge=transport_judges(transport_for, limit))``). Nothing here does
network I/O, so this module is tested with plain functions standing in for the endpoint
(:func:`judge_factory`).

The budget (``limits.max_llm_calls``) counts judgements asked of an endpoint: an answer
from the cache costs nothing and is not counted; a judgement retried after a 429 counts
once. Only answers that read as verdicts are cached, so a garbled answer is asked again.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from typing import Any, Protocol

from fluxloop_core.evaluation.checks import Check, CheckOutcome
from fluxloop_core.evaluation.reading import RunView
from fluxloop_core.evaluation.spec import LLMJudgeEvaluator
from fluxloop_core.evaluation.verdicts import JudgeFactory
from fluxloop_core.redaction import redact
from fluxloop_core.results.rows import clip

Messages = list[dict[str, str]]
Complete = Callable[[Messages], str | None]
"""Send chat messages to the judge model; its answer text (None when it gave none).
Raises when the endpoint fails after its retries: that run becomes a grading error."""

SYSTEM_PROMPT = (
    "You grade an AI agent's answer against a rubric. Reply with one JSON object and "
    'nothing else: {{"passed": true or false, "score": a number from 0 to {max_score}, '
    '"reason": "one short sentence"}}.'
)
OUTPUT_CHARS = 20_000
"""The agent's answer is cut to this many characters in the prompt (cost is bounded)."""

_OBJECT = re.compile(r"\{.*\}", re.DOTALL)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_REASON = re.compile(r"reason\s*[:\-]\s*(.*)", re.IGNORECASE | re.DOTALL)
_VERDICT_WORD = re.compile(r"^\W*(pass|passed|fail|failed)\b", re.IGNORECASE)


class JudgeAnswerError(ValueError):
    """The judge answered something that is not a verdict."""


def judge_messages(spec: LLMJudgeEvaluator, run: RunView) -> Messages:
    """The chat messages for one run: the system instruction, then the rubric with
    ``{input}``, ``{output}`` (what ``on`` selects) and ``{metadata.KEY}`` filled in.
    A missing metadata key raises TemplateError (a grading error)."""
    # Filled piece by piece, so an input that itself holds "{output}" stays as it is.
    output = run.text(spec.on)[:OUTPUT_CHARS]
    text = output.join(run.fill(piece) for piece in spec.prompt_template.split("{output}"))
    if spec.parser == "first_number_1_10":
        return [{"role": "user", "content": text}]  # 0.2.x: the rubric says how to answer
    return [
        {"role": "system", "content": SYSTEM_PROMPT.format(max_score=f"{spec.max_score:g}")},
        {"role": "user", "content": text},
    ]


def _as_bool(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"pass", "passed", "true", "yes"}:
        return True
    if isinstance(value, str) and value.strip().lower() in {"fail", "failed", "false", "no"}:
        return False
    return None


def _first_number(content: str, spec: LLMJudgeEvaluator) -> tuple[bool, float, str]:
    # fluxloop-cli 0.2.x's parser: the first number is the score on 0..max_score; the
    # text after "Reason:" (else the whole answer) is the reason.
    found = _NUMBER.search(content)
    if found is None:
        raise JudgeAnswerError(f"no score in {clip(content, 80)!r}")
    value = float(found.group(0))
    if value > spec.max_score:
        raise JudgeAnswerError(f"score {value:g} is outside 0..{spec.max_score:g}")
    score = value / spec.max_score
    reason = _REASON.search(content)
    return score >= spec.min_score, score, clip(reason.group(1) if reason else content, 200)


def parse_judgement(content: str | None, spec: LLMJudgeEvaluator) -> tuple[bool, float, str]:
    """(passed, score in [0, 1], reason) from the judge's answer.

    The answer is a JSON object (in a code fence or with prose around it is fine) with
    ``passed`` (or ``pass``/``verdict``), ``score`` on the 0..max_score scale and
    ``reason``; either of passed and score may be left out (a score passes at
    ``min_score`` of the scale; a bare verdict scores 1 or 0). An answer that is only a
    word — PASS or FAIL — is read too. With ``parser: first_number_1_10`` (0.2.x) the
    first number is the score and the text after ``Reason:`` the reason. Anything else
    raises JudgeAnswerError.
    """
    if not content or not content.strip():
        raise JudgeAnswerError("the judge gave an empty answer")
    if spec.parser == "first_number_1_10":
        return _first_number(content, spec)
    found = _OBJECT.search(content)
    data: Any = None
    if found is not None:
        try:
            data = json.loads(found.group(0))
        except (ValueError, RecursionError):
            data = None
    if not isinstance(data, dict):
        word = _VERDICT_WORD.match(content)
        if word is None:
            raise JudgeAnswerError(f"not a verdict: {clip(content, 80)!r}")
        passed = word.group(1).lower().startswith("pass")
        return passed, 1.0 if passed else 0.0, clip(content, 200)
    verdict = next(
        (_as_bool(data[key]) for key in ("passed", "pass", "verdict") if key in data), None
    )
    raw = data.get("score")
    score: float | None = None
    if raw is not None:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise JudgeAnswerError(f"score {raw!r} is not a number")
        if not 0 <= raw <= spec.max_score:
            raise JudgeAnswerError(f"score {raw!r} is outside 0..{spec.max_score:g}")
        score = float(raw) / spec.max_score
    if verdict is None and score is None:
        raise JudgeAnswerError(f"no passed or score in {clip(content, 80)!r}")
    if verdict is None:
        assert score is not None
        verdict = score >= spec.min_score
    if score is None:
        score = 1.0 if verdict else 0.0
    reason = data.get("reason")
    return verdict, score, clip(str(reason), 200) if reason is not None else ""


class CallBudget:
    """``limits.max_llm_calls`` across every judge of a plan (thread-safe)."""

    def __init__(self, limit: int | None) -> None:
        self.limit = limit
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        """Use one call; False when the budget is spent."""
        with self._lock:
            if self.limit is not None and self.used >= self.limit:
                return False
            self.used += 1
            return True


class Transport(Protocol):
    """How a judge reaches its model: ``complete`` sends (raising when the endpoint fails
    after its retries), ``cached``/``keep`` read and write readable answers, ``concurrency``
    is how many judgements it serves at once, ``close`` lets go of it (idempotent)."""

    concurrency: int

    def complete(self, messages: Messages) -> str | None: ...

    def cached(self, messages: Messages) -> str | None: ...

    def keep(self, messages: Messages, content: str) -> None: ...

    def close(self) -> None: ...


class _Plain:
    """A bare :data:`Complete` function as a transport: no cache, one call at a time."""

    concurrency = 1

    def __init__(self, complete: Complete) -> None:
        self.complete = complete

    def cached(self, messages: Messages) -> str | None:
        return None

    def keep(self, messages: Messages, content: str) -> None:
        pass

    def close(self) -> None:
        pass


class JudgeCheck(Check):
    """An llm_judge evaluator as a check: every failure to answer is a grading error."""

    __slots__ = ("budget", "spec", "transport")

    def __init__(self, spec: LLMJudgeEvaluator, transport: Transport, budget: CallBudget) -> None:
        super().__init__(spec.name, applies_to_errors=spec.on == "error")
        self.spec = spec
        self.transport = transport
        self.budget = budget

    def concurrency(self) -> int:
        return self.transport.concurrency

    def close(self) -> None:
        self.transport.close()

    def _outcome(self, judgement: tuple[bool, float, str]) -> CheckOutcome:
        passed, score, reason = judgement
        # The reason is the server's text: it could echo what the prompt or key held.
        reason = redact(reason)
        if passed:
            return CheckOutcome(self.name, True, score, reason or None)
        return self.fail(reason or "the judge failed it", score)

    def grade(self, run: RunView) -> CheckOutcome:
        messages = judge_messages(self.spec, run)
        content = self.transport.cached(messages)
        if content is not None:
            try:
                return self._outcome(parse_judgement(content, self.spec))
            except JudgeAnswerError:
                pass  # a damaged cache entry: ask again
        if not self.budget.take():
            return self.error(f"max_llm_calls ({self.budget.limit}) reached; not judged")
        try:
            content = self.transport.complete(messages)
        except Exception as exc:
            why = redact(str(exc)) or type(exc).__name__
            return self.error(f"the judge did not answer: {clip(why, 300)}")
        try:
            judgement = parse_judgement(content, self.spec)
        except JudgeAnswerError as exc:
            return self.error(f"unreadable judgement: {redact(str(exc))}")
        assert content is not None  # parse_judgement refuses None
        self.transport.keep(messages, content)
        return self._outcome(judgement)


TransportFor = Callable[[LLMJudgeEvaluator, str], Transport]
"""The transport of one llm_judge evaluator (spec, config key); may raise ConfigError
naming the key (no endpoint, no key, LLM calls not allowed)."""


def transport_judges(transport_for: TransportFor, max_llm_calls: int | None = None) -> JudgeFactory:
    """A :data:`~fluxloop_core.evaluation.verdicts.JudgeFactory` whose judges go through
    ``transport_for``'s transports, sharing one ``max_llm_calls`` budget."""
    budget = CallBudget(max_llm_calls)

    def build(spec: LLMJudgeEvaluator, key: str) -> Check:
        return JudgeCheck(spec, transport_for(spec, key), budget)

    return build


def judge_factory(complete: Complete, max_llm_calls: int | None = None) -> JudgeFactory:
    """Judges that send their prompts through the plain function ``complete``."""
    transport = _Plain(complete)
    return transport_judges(lambda spec, key: transport, max_llm_calls)
