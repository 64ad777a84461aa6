"""The typed shape of the ``evaluation`` section and of per-input ``checks``.

These models are the edge: setting.yaml (and inputs files) are validated here, nothing
downstream re-checks them. They fit the config loader's error mapping: every problem is a
pydantic error whose ``loc`` is the real key path (``evaluation.checks[1].pattern``), so the
loader places it at file:line. A check is picked by its ``check:`` name by hand rather than
by a tagged union, because a tagged union puts the tag into ``loc`` and the loader would no
longer find the key's line; an unknown name gets the closest suggestion.

Check parameters may hold ``{input}`` and ``{metadata.KEY}``; they are filled per run.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from fluxloop_core.evaluation.reading import fill_placeholders, parse_json_path

FIXED_SELECTORS: tuple[str, ...] = ("output", "error", "callbacks")
CALLBACK_PREFIX = "callbacks."

REGEX_FLAGS: dict[str, re.RegexFlag] = {
    "IGNORECASE": re.IGNORECASE,
    "MULTILINE": re.MULTILINE,
    "DOTALL": re.DOTALL,
    "VERBOSE": re.VERBOSE,
    "ASCII": re.ASCII,
}
_FLAG_LETTERS = {"I": "IGNORECASE", "M": "MULTILINE", "S": "DOTALL", "X": "VERBOSE", "A": "ASCII"}


class _Strict(BaseModel):
    # strict, as the rest of setting.yaml: `min_pass_rate: true` is a mistake, not 1.0.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


def _scalar_text(value: Any) -> Any:
    # YAML reads `keywords: [42, yes]` as numbers and booleans; a keyword is text.
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return str(value)
    return value


def _keyword_list(value: Any) -> Any:
    if isinstance(value, str | int | float):
        return [_scalar_text(value)]
    if isinstance(value, list):
        return [_scalar_text(item) for item in value]
    return value


def _check_selector(value: str) -> str:
    if value in FIXED_SELECTORS:
        return value
    name = value.removeprefix(CALLBACK_PREFIX)
    if not name.isidentifier():
        raise ValueError(
            f"on: {value!r} is not output, error, callbacks or a callback's parameter name"
        )
    close = difflib.get_close_matches(value, FIXED_SELECTORS, n=1, cutoff=0.75)
    if close and not value.startswith(CALLBACK_PREFIX):
        raise ValueError(
            f"on: {value!r} looks like a typo of {close[0]!r}; "
            f"to read a callback with that name write on: callbacks.{value}"
        )
    return value


Text = Annotated[str, BeforeValidator(_scalar_text)]
Keywords = Annotated[list[str], BeforeValidator(_keyword_list)]
Selector = Annotated[
    str,
    AfterValidator(_check_selector),
    Field(
        description="output, error, callbacks, or one callback by parameter name "
        "(callbacks.NAME or NAME); a replay handler's null output reads its callbacks"
    ),
]


Scope = Literal["last", "any", "every", "transcript"]
"""Which turns of a conversation a check reads (a single call has one turn)."""


class CheckBase(_Strict):
    """What every check has: its type, and the turns of a conversation it reads."""

    check: str = Field(description="the check's type")
    scope: Scope = Field(
        default="last",
        description="conversations: last (the last reply), any (one agent turn passes), "
        "every (each agent turn passes), transcript (the whole conversation as text); a "
        "single call is its one output",
    )

    @property
    def label(self) -> str:
        """The name shown in reports."""
        return self.check


class TextCheck(CheckBase):
    """A check that reads text: the output by default, or what ``on`` selects."""

    on: Selector = "output"


class SuccessCheck(CheckBase):
    """The run finished without an exception or a timeout."""

    check: Literal["success"]


class OutputNotEmptyCheck(TextCheck):
    """The text is not empty or whitespace."""

    check: Literal["output_not_empty"]


class EqualsCheck(TextCheck):
    """The text equals ``value`` (surrounding whitespace ignored unless ``strip: false``)."""

    check: Literal["equals"]
    value: Text = Field(description="the expected text; {input} and {metadata.KEY} allowed")
    case_sensitive: bool = Field(default=True, description="tell upper from lower case")
    strip: bool = Field(default=True, description="ignore surrounding whitespace")


class _KeywordCheck(TextCheck):
    keywords: Keywords = Field(min_length=1, description="words or phrases to look for")
    case_sensitive: bool = Field(default=False, description="tell upper from lower case")
    mode: Literal["all", "any"] = Field(
        default="all", description="all: every keyword counts; any: one is enough"
    )


class ContainsCheck(_KeywordCheck):
    """The text contains the keywords (all of them, or any with ``mode: any``)."""

    check: Literal["contains"]


class NotContainsCheck(_KeywordCheck):
    """The text contains none of the keywords (``mode: any``: not all of them)."""

    check: Literal["not_contains"]


class StartsWithCheck(TextCheck):
    """The text (leading whitespace ignored) starts with ``prefix``."""

    check: Literal["starts_with"]
    prefix: Text = Field(description="the expected beginning")
    case_sensitive: bool = Field(default=True, description="tell upper from lower case")


class MatchesRegexCheck(TextCheck):
    """A Python regular expression is found in the text (``re.search``)."""

    check: Literal["matches_regex"]
    pattern: str = Field(description="a Python regular expression")
    flags: list[str] = Field(
        default_factory=list, description="IGNORECASE, MULTILINE, DOTALL, VERBOSE, ASCII"
    )

    @field_validator("flags", mode="before")
    @classmethod
    def _flag_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part for part in re.split(r"[\s,|]+", value) if part]
        return value

    @field_validator("flags")
    @classmethod
    def _known_flags(cls, value: list[str]) -> list[str]:
        names = []
        for flag in value:
            name = _FLAG_LETTERS.get(flag.upper(), flag.upper().removeprefix("RE."))
            if name not in REGEX_FLAGS:
                raise ValueError(f"unknown regex flag {flag!r}; use {', '.join(REGEX_FLAGS)}")
            names.append(name)
        return names

    @property
    def flag_bits(self) -> int:
        """The ``re`` flags as one integer."""
        bits = 0
        for name in self.flags:
            bits |= REGEX_FLAGS[name]
        return bits

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(fill_placeholders(value))
        except re.error as exc:
            where = f" at position {exc.pos}" if exc.pos is not None else ""
            raise ValueError(f"pattern {value!r} is not a valid regex: {exc.msg}{where}") from None
        return value


class IsJsonCheck(TextCheck):
    """The text is JSON (an output that is already a dict or list counts)."""

    check: Literal["is_json"]
    required_keys: list[str] = Field(default_factory=list, description="top-level keys")


class JsonPathCheck(TextCheck):
    """A value inside the JSON output exists (and equals ``equals`` when given)."""

    check: Literal["json_path"]
    path: str = Field(description='"$.a.b[0]" or "a.b.0"')
    equals: Any = Field(default=None, description="the expected value (any JSON value)")

    @field_validator("path")
    @classmethod
    def _parses(cls, value: str) -> str:
        parse_json_path(value)
        return value


class LatencyUnderCheck(CheckBase):
    """The run took at most ``budget_ms``; the score is budget/duration when over."""

    check: Literal["latency_under"]
    budget_ms: float = Field(gt=0, description="milliseconds")


class SimilarityCheck(TextCheck):
    """difflib's ratio between the text and ``expected`` is at least ``min_score``."""

    check: Literal["similarity"]
    expected: Text = Field(description="the reference answer; templates allowed")
    min_score: float = Field(default=0.8, ge=0, le=1, description="similarity (0..1) to pass")


class CallbackCalledCheck(CheckBase):
    """The callback parameter ``name`` was called at least ``min_count`` times."""

    check: Literal["callback_called"]
    name: str = Field(description="the callback's parameter name")
    min_count: int = Field(default=1, ge=0, description="calls at least")
    contains: Text | None = Field(default=None, description="text one of its calls must hold")

    @field_validator("name")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not value.removeprefix(CALLBACK_PREFIX).isidentifier():
            raise ValueError(f"name {value!r} is not a callback's parameter name")
        return value.removeprefix(CALLBACK_PREFIX)

    @property
    def label(self) -> str:
        """``callback_called:NAME``."""
        return f"callback_called:{self.name}"


class TokenUsageUnderCheck(CheckBase):
    """The run's LLM calls used at most ``max_tokens`` (input, output, or both together)."""

    check: Literal["token_usage_under"]
    max_tokens: int = Field(ge=0, description="tokens at most")
    count: Literal["total", "input", "output"] = Field(
        default="total", description="which tokens count: total, input or output"
    )


class CostUnderCheck(CheckBase):
    """The run cost at most ``max_usd`` (priced with ``pricing:``; an unpriced model is a
    grading error, not a pass)."""

    check: Literal["cost_under"]
    max_usd: float = Field(ge=0, description="US dollars at most")


class TurnCountCheck(CheckBase):
    """The conversation took at least ``min`` and at most ``max`` agent turns (a single
    call is one)."""

    check: Literal["turn_count"]
    min: int | None = Field(default=None, ge=0, description="agent turns at least")
    max: int | None = Field(default=None, ge=0, description="agent turns at most")

    @field_validator("max")
    @classmethod
    def _bounds(cls, value: int | None, info: ValidationInfo) -> int | None:
        low = info.data.get("min")
        if value is not None and low is not None and value < low:
            raise ValueError(f"max {value} is below min {low}")
        return value

    @model_validator(mode="after")
    def _a_bound(self) -> TurnCountCheck:
        if self.min is None and self.max is None:
            raise ValueError("turn_count needs min, max or both")
        return self


class _ToolCheck(CheckBase):
    name: str = Field(min_length=1, description="the tool's span name")

    @property
    def label(self) -> str:
        """``CHECK:NAME``."""
        return f"{self.check}:{self.name}"


class ToolCalledCheck(_ToolCheck):
    """The tool ``name`` was called at least ``min_count`` times."""

    check: Literal["tool_called"]
    min_count: int = Field(default=1, ge=1)


class ToolNotCalledCheck(_ToolCheck):
    """The tool ``name`` was never called."""

    check: Literal["tool_not_called"]


class ToolSequenceCheck(CheckBase):
    """The tools were called in this order: ``in_order`` allows other calls between them,
    ``exact`` means these calls and no others."""

    check: Literal["tool_sequence"]
    names: list[str] = Field(min_length=1, description="tool names, in the order expected")
    mode: Literal["in_order", "exact"] = Field(default="in_order")


class PythonCheck(TextCheck):
    """``function(value, run)`` returns a bool, a score, or (passed, score, reason)."""

    check: Literal["python"]
    function: str = Field(description='"module:function", imported from the project folder')
    min_score: float = Field(default=0.5, ge=0, le=1, description="a bare score passes at this")

    @field_validator("function")
    @classmethod
    def _shape(cls, value: str) -> str:
        module, sep, qualname = value.partition(":")
        if not sep or not module.strip() or not all(qualname.split(".")):
            raise ValueError(f'function {value!r} is not "module.path:function"')
        return value


CHECK_MODELS: dict[str, type[CheckBase]] = {
    "success": SuccessCheck,
    "output_not_empty": OutputNotEmptyCheck,
    "equals": EqualsCheck,
    "contains": ContainsCheck,
    "not_contains": NotContainsCheck,
    "starts_with": StartsWithCheck,
    "matches_regex": MatchesRegexCheck,
    "is_json": IsJsonCheck,
    "json_path": JsonPathCheck,
    "latency_under": LatencyUnderCheck,
    "similarity": SimilarityCheck,
    "callback_called": CallbackCalledCheck,
    "token_usage_under": TokenUsageUnderCheck,
    "cost_under": CostUnderCheck,
    "tool_called": ToolCalledCheck,
    "tool_not_called": ToolNotCalledCheck,
    "tool_sequence": ToolSequenceCheck,
    "turn_count": TurnCountCheck,
    "python": PythonCheck,
}
"""Every check type by its ``check:`` name, in the order they are documented."""

# Upstream 0.2.x named the selector `target`; YAML 1.1 reads a bare `on` key as true.
_KEY_ALIASES = {"target": "on", True: "on"}


def _error(loc: tuple[str | int, ...], message: str, value: Any) -> InitErrorDetails:
    # A PydanticCustomError of type value_error reads like a validator's ValueError, which
    # the loader shows without pydantic's wording.
    return {
        "type": PydanticCustomError("value_error", "Value error, {msg}", {"msg": message}),
        "loc": loc,
        "input": value,
    }


def _pick_check(value: Any, handler: ValidatorFunctionWrapHandler) -> CheckBase:
    if isinstance(value, CheckBase):
        return value
    if isinstance(value, str):
        value = {"check": value}  # `- output_not_empty` as shorthand
    if not isinstance(value, Mapping):
        raise ValidationError.from_exception_data(
            "check",
            [_error((), "a check is a mapping like {check: contains, keywords: [...]}", value)],
        )
    data = {_KEY_ALIASES.get(key, key): item for key, item in value.items()}
    name = data.get("check")
    if name is None:
        raise ValidationError.from_exception_data(
            "check", [{"type": "missing", "loc": ("check",), "input": value}]
        )
    model = CHECK_MODELS.get(name) if isinstance(name, str) else None
    if model is None:
        close = difflib.get_close_matches(str(name), CHECK_MODELS, n=1, cutoff=0.6)
        advice = f"did you mean {close[0]}?" if close else f"known: {', '.join(CHECK_MODELS)}"
        raise ValidationError.from_exception_data(
            "check", [_error(("check",), f"unknown check {name!r}; {advice}", name)]
        )
    unknown = [key for key in data if isinstance(key, str) and key not in _accepted(model)]
    if unknown:
        errors = []
        for key in unknown:
            close = difflib.get_close_matches(key, _accepted(model), n=1, cutoff=0.6)
            advice = (
                f"did you mean {close[0]}?"
                if close
                else f"{name} takes {', '.join(_accepted(model))}"
            )
            errors.append(_error((key,), f"unknown parameter for {name}; {advice}", data[key]))
        raise ValidationError.from_exception_data("check", errors)
    return model.model_validate(data)


def _accepted(model: type[CheckBase]) -> list[str]:
    return list(model.model_fields)


CheckSpec = Annotated[
    SuccessCheck
    | OutputNotEmptyCheck
    | EqualsCheck
    | ContainsCheck
    | NotContainsCheck
    | StartsWithCheck
    | MatchesRegexCheck
    | IsJsonCheck
    | JsonPathCheck
    | LatencyUnderCheck
    | SimilarityCheck
    | CallbackCalledCheck
    | TokenUsageUnderCheck
    | CostUnderCheck
    | ToolCalledCheck
    | ToolNotCalledCheck
    | ToolSequenceCheck
    | TurnCountCheck
    | PythonCheck,
    WrapValidator(_pick_check),
]
"""One check, chosen by its ``check:`` name (a bare string names a check without
parameters)."""


class RuleBasedEvaluator(_Strict):
    """Upstream 0.2.x's evaluator of deterministic rules."""

    name: str = Field(min_length=1, description="the evaluator's name (prefixes its checks)")
    type: Literal["rule_based"] = Field(description="rule_based: deterministic checks")
    enabled: bool = Field(default=True, description="false: left out of grading")
    weight: float = Field(default=1.0, ge=0, description="share in the weighted score")
    rules: list[CheckSpec] = Field(min_length=1, description="checks, as under checks:")


class LLMJudgeEvaluator(_Strict):
    """A rubric graded by an OpenAI-compatible model (input_generation.llm unless named)."""

    name: str = Field(min_length=1, description="the evaluator's name (its check's name)")
    type: Literal["llm_judge"] = Field(description="llm_judge: a model grades a rubric")
    enabled: bool = Field(default=True, description="false: left out (no LLM calls)")
    weight: float = Field(default=1.0, ge=0, description="share in the weighted score")
    prompt_template: str = Field(min_length=1, description="the rubric; {input}, {output}")
    model: str | None = Field(default=None, description="default: input_generation.llm.model")
    provider: str | None = Field(
        default=None, description="default: input_generation.llm.provider (its key variable)"
    )
    base_url: str | None = Field(
        default=None, description="an OpenAI-compatible endpoint (default: the project's)"
    )
    max_score: float = Field(default=1.0, gt=0, description="the judge's score scale")
    min_score: float = Field(default=0.5, ge=0, le=1, description="share of max_score to pass")
    parser: Literal["verdict", "first_number_1_10"] = Field(
        default="verdict",
        description="verdict: a JSON verdict (or PASS/FAIL) asked for by a system prompt; "
        "first_number_1_10 (fluxloop-cli 0.2.x): the rubric alone is sent and the first "
        "number of the answer is the score",
    )
    metadata: dict[str, Any] = Field(
        default_factory=dict, description="free notes (0.2.x's sample_response); not sent"
    )
    on: Selector = "output"
    scope: Scope = Field(
        default="last",
        description="conversations: the turns the judge reads, as for checks (any, every: "
        "one judgement per agent turn; transcript: the whole conversation as {output})",
    )


def _pick_evaluator(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    if isinstance(value, Mapping):
        kind = value.get("type")
        models: dict[str, type[BaseModel]] = {
            "rule_based": RuleBasedEvaluator,
            "llm_judge": LLMJudgeEvaluator,
        }
        model = models.get(kind) if isinstance(kind, str) else None
        if model is None:
            message = f"type must be rule_based or llm_judge, not {kind!r}"
            if kind is None:
                raise ValidationError.from_exception_data(
                    "evaluator", [{"type": "missing", "loc": ("type",), "input": value}]
                )
            raise ValidationError.from_exception_data(
                "evaluator", [_error(("type",), message, kind)]
            )
        data = {_KEY_ALIASES.get(key, key): item for key, item in value.items()}
        return model.model_validate(data)
    raise ValidationError.from_exception_data(
        "evaluator", [_error((), "an evaluator is a mapping with name, type and rules", value)]
    )


EvaluatorSpec = Annotated[RuleBasedEvaluator | LLMJudgeEvaluator, WrapValidator(_pick_evaluator)]


class GateSpec(_Strict):
    """When an evaluated experiment fails its bar (exit 1)."""

    min_pass_rate: float | None = Field(default=None, ge=0, le=1, description="share of runs")
    min_input_pass_rate: float | None = Field(
        default=None, ge=0, le=1, description="every input must pass this share of iterations"
    )
    fail_on_flaky: bool = Field(default=False, description="an input that passes sometimes fails")


def override_gate(
    gate: GateSpec,
    *,
    min_pass_rate: float | None = None,
    min_input_pass_rate: float | None = None,
) -> GateSpec:
    """``gate`` with the command line's bars (``--fail-under``, ``--fail-under-per-input``)
    over the config's; a bar outside [0, 1] raises pydantic's ValidationError naming it."""
    updates = {
        key: value
        for key, value in (
            ("min_pass_rate", min_pass_rate),
            ("min_input_pass_rate", min_input_pass_rate),
        )
        if value is not None
    }
    return GateSpec.model_validate({**gate.model_dump(), **updates})


class LimitsSpec(_Strict):
    """Upstream 0.2.x's cost bounds."""

    max_llm_calls: int | None = Field(default=None, ge=0, description="judge calls at most")


class EvaluationSpec(_Strict):
    """The ``evaluation`` section of setting.yaml."""

    checks: list[CheckSpec] = Field(default_factory=list, description="run on every run")
    evaluators: list[EvaluatorSpec] = Field(default_factory=list, description="upstream shape")
    gate: GateSpec = Field(default_factory=GateSpec, description="when the run fails (exit 1)")
    limits: LimitsSpec = Field(default_factory=LimitsSpec, description="cost bounds")


InputChecks = list[CheckSpec]
"""The type of a per-input ``checks:`` list (base_inputs and inputs files)."""


def checks_of(data: Any) -> list[CheckBase]:
    """Validate a bare list of checks (for callers outside a pydantic model)."""
    return list(_CheckList.model_validate({"checks": data}).checks)


class _CheckList(_Strict):
    checks: list[CheckSpec]


def validate_evaluation(data: Any) -> EvaluationSpec:
    """Validate an ``evaluation`` mapping; raises pydantic's ValidationError."""
    return EvaluationSpec.model_validate(data)
