"""Every check type on runs built by hand: pass, fail with a reason, and its edge cases."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from eval_helpers import record, run_check

from fluxloop_core.errors import ConfigError


def test_success() -> None:
    assert run_check("success", record()).passed
    failed = run_check("success", record(None, status="error", error=("ValueError", "boom")))
    assert not failed.passed and failed.reason == "error: ValueError: boom"
    assert run_check("success", record(None, status="timeout")).reason == "timeout"


@pytest.mark.parametrize(
    ("output", "passed"),
    [("hi", True), ("   \n", False), ("", False), (None, False), ({"a": 1}, True), (0, True)],
)
def test_output_not_empty(output: Any, passed: bool) -> None:
    outcome = run_check("output_not_empty", record(output))
    assert outcome.passed is passed
    if not passed:
        assert outcome.reason == "output is empty" and outcome.score == 0.0


def test_replay_handler_output_is_what_it_sent_through_callbacks() -> None:
    # A replay handler answers through send_message_callback and returns None.
    run = record(
        None,
        calls=[
            ("send_message_callback", [{"type": "text", "content": "Your balance is 42"}], {}),
            ("error_callback", ["internal: db slow"], {}),
        ],
    )
    assert run_check("output_not_empty", run).passed
    assert run_check({"check": "contains", "keywords": ["balance is 42"]}, run).passed
    # Error reports are not part of the answer, but `on: callbacks` reads every call.
    assert not run_check({"check": "contains", "keywords": ["db slow"]}, run).passed
    assert run_check({"check": "contains", "keywords": ["db slow"], "on": "callbacks"}, run).passed
    one = {"check": "contains", "keywords": ["db slow"], "on": "error_callback"}
    assert run_check(one, run).passed
    assert not run_check({**one, "on": "callbacks.send_message_callback"}, run).passed


def test_equals() -> None:
    assert run_check({"check": "equals", "value": "ok"}, record("  ok\n")).passed
    assert not run_check({"check": "equals", "value": "ok", "strip": False}, record(" ok")).passed
    assert run_check(
        {"check": "equals", "value": "OK", "case_sensitive": False}, record("ok")
    ).passed
    failed = run_check({"check": "equals", "value": "ok"}, record("no"))
    assert failed.reason == "output 'no' is not 'ok'"
    # Templates: the input itself (an echo agent), and metadata.
    assert run_check({"check": "equals", "value": "{input}"}, record("hi", text="hi")).passed
    meta = {"check": "equals", "value": "{metadata.answer}"}
    assert run_check(meta, record("42", metadata={"answer": 42})).passed
    assert run_check(
        {"check": "equals", "value": "{metadata.user.tier}"},
        record("gold", metadata={"user": {"tier": "gold"}}),
    ).passed


def test_missing_metadata_is_a_grading_error_not_a_fail() -> None:
    outcome = run_check({"check": "equals", "value": "{metadata.answer}"}, record("42"))
    assert outcome.grading_error and not outcome.passed
    assert "no metadata 'answer'" in (outcome.reason or "")


@pytest.mark.parametrize(
    ("check", "output", "passed", "score"),
    [
        ({"keywords": ["balance", "USD"]}, "Your balance is 42 USD", True, 1.0),
        ({"keywords": ["BALANCE"]}, "Your balance", True, 1.0),
        ({"keywords": ["BALANCE"], "case_sensitive": True}, "Your balance", False, 0.0),
        ({"keywords": ["balance", "EUR"]}, "Your balance", False, 0.5),
        ({"keywords": ["balance", "EUR"], "mode": "any"}, "Your balance", True, 1.0),
        ({"keywords": ["EUR", "GBP"], "mode": "any"}, "Your balance", False, 0.0),
    ],
)
def test_contains(check: dict[str, Any], output: str, passed: bool, score: float) -> None:
    outcome = run_check({"check": "contains", **check}, record(output))
    assert (outcome.passed, outcome.score) == (passed, score)
    if not passed:
        assert "lacks" in (outcome.reason or "")


@pytest.mark.parametrize(
    ("check", "output", "passed"),
    [
        ({"keywords": ["I cannot", "Traceback"]}, "Sure, 42 USD", True),
        ({"keywords": ["I cannot", "Traceback"]}, "i CANNOT do that", False),
        ({"keywords": ["I cannot"], "case_sensitive": True}, "i cannot", True),
        ({"keywords": ["a", "b"], "mode": "any"}, "a only", True),
        ({"keywords": ["a", "b"], "mode": "any"}, "a and b", False),
        ({"keywords": ["{input}"]}, "What is my balance? you asked", False),
    ],
)
def test_not_contains(check: dict[str, Any], output: str, passed: bool) -> None:
    outcome = run_check({"check": "not_contains", **check}, record(output))
    assert outcome.passed is passed
    if not passed:
        assert "contains" in (outcome.reason or "")


def test_starts_with() -> None:
    assert run_check({"check": "starts_with", "prefix": "Your"}, record("  Your balance")).passed
    assert not run_check({"check": "starts_with", "prefix": "your"}, record("Your")).passed
    check = {"check": "starts_with", "prefix": "your", "case_sensitive": False}
    assert run_check(check, record("Your")).passed


def test_matches_regex() -> None:
    check = {"check": "matches_regex", "pattern": r"\d+ USD"}
    assert run_check(check, record("is 42 USD.")).passed
    failed = run_check(check, record("is 42 usd"))
    assert not failed.passed and "does not match" in (failed.reason or "")
    assert run_check({**check, "flags": ["IGNORECASE"]}, record("is 42 usd")).passed
    assert run_check(
        {"check": "matches_regex", "pattern": "^b", "flags": "m"}, record("a\nb")
    ).passed
    # An input holding regex syntax is matched literally.
    templated = {"check": "matches_regex", "pattern": "you asked: {input}"}
    assert run_check(templated, record("you asked: (a+b)?", text="(a+b)?")).passed
    assert not run_check(templated, record("you asked: aab", text="(a+b)?")).passed


@pytest.mark.parametrize(
    ("output", "keys", "passed", "reason"),
    [
        ('{"answer": 1}', [], True, None),
        ({"answer": 1}, ["answer"], True, None),
        ([1, 2], [], True, None),
        ("not json", [], False, "not JSON"),
        ('{"a": 1}', ["answer", "b"], False, "lacks keys answer, b"),
        ("[1]", ["answer"], False, "not an object"),
        ("[" * 100_000, [], False, "not JSON"),
    ],
)
def test_is_json(output: Any, keys: list[str], passed: bool, reason: str | None) -> None:
    outcome = run_check({"check": "is_json", "required_keys": keys}, record(output))
    assert outcome.passed is passed
    if reason:
        assert reason in (outcome.reason or "")


@pytest.mark.parametrize(
    ("check", "passed", "reason"),
    [
        ({"path": "$.items[0].id"}, True, None),
        ({"path": "items.0.id", "equals": 7}, True, None),
        ({"path": "$.items[-1].id", "equals": 8}, True, None),
        ({"path": "$.items[0].id", "equals": 8}, False, "is 7, not 8"),
        ({"path": "$.items[5].id"}, False, "not found"),
        ({"path": "$.name", "equals": "{input}"}, True, None),
        ({"path": "$.none", "equals": None}, True, None),
    ],
)
def test_json_path(check: dict[str, Any], passed: bool, reason: str | None) -> None:
    output = {"items": [{"id": 7}, {"id": 8}], "name": "hi", "none": None}
    outcome = run_check({"check": "json_path", **check}, record(output, text="hi"))
    assert outcome.passed is passed
    if reason:
        assert reason in (outcome.reason or "")


def test_json_path_on_text_output() -> None:
    check = {"check": "json_path", "path": "$.a", "equals": [1, 2]}
    assert run_check(check, record('{"a": [1, 2]}')).passed
    assert "not JSON" in (run_check(check, record("nope")).reason or "")


def test_latency_under() -> None:
    assert run_check({"check": "latency_under", "budget_ms": 100}, record(duration_ms=99)).passed
    assert run_check({"check": "latency_under", "budget_ms": 100}, record(duration_ms=100)).passed
    assert not run_check(
        {"check": "latency_under", "budget_ms": 100}, record(duration_ms=100.01)
    ).passed
    over = run_check({"check": "latency_under", "budget_ms": 100}, record(duration_ms=400))
    assert not over.passed and over.score == 0.25
    assert over.reason == "took 400 ms, budget 100 ms"


def test_similarity() -> None:
    # difflib ratio = 2·matches/total: "abcd" vs "abce" → 2·3/8 = 0.75.
    check = {"check": "similarity", "expected": "abcd", "min_score": 0.7}
    outcome = run_check(check, record("abce"))
    assert outcome.passed and outcome.score == 0.75
    low = run_check({**check, "min_score": 0.8}, record("abce"))
    assert not low.passed and low.score == 0.75 and "0.75 below 0.8" in (low.reason or "")
    templated = {"check": "similarity", "expected": "{input}", "min_score": 1}
    assert run_check(templated, record("same", text="same")).passed


def test_callback_called() -> None:
    run = record(
        None,
        calls=[
            ("send_message_callback", ["Your balance"], {}),
            ("send_message_callback", [], {"text": "is 42"}),
        ],
    )
    assert run_check({"check": "callback_called", "name": "send_message_callback"}, run).passed
    twice = {"check": "callback_called", "name": "send_message_callback", "min_count": 3}
    failed = run_check(twice, run)
    assert failed.reason == "called 2 times, expected at least 3"
    assert failed.score == 0.0
    has = {"check": "callback_called", "name": "send_message_callback", "contains": "is 42"}
    assert run_check(has, run).passed
    assert not run_check({**has, "contains": "EUR"}, run).passed
    never = run_check({"check": "callback_called", "name": "error_callback"}, run)
    assert never.reason == "called 0 times, expected at least 1"
    assert run_check({"check": "callback_called", "name": "x", "min_count": 0}, run).passed


CHECKS_MODULE = """
def polite(text, run):
    return "please" in text

def scored(text, run):
    return len(text) / 10

def full(text, run):
    return (False, 0.3, "too short for " + run.input)

def as_dict(text, run):
    return {"passed": True, "score": 0.9}

def broken(text, run):
    raise RuntimeError("oops")

def odd(text, run):
    return "yes"

def nan(text, run):
    return (True, float("nan"))

def huge(text, run):
    return 7
"""


@pytest.fixture
def checks_dir(tmp_path: Path) -> Iterator[Path]:
    (tmp_path / "my_checks_mod.py").write_text(CHECKS_MODULE)
    yield tmp_path
    sys.modules.pop("my_checks_mod", None)


def test_python_check_results(checks_dir: Path) -> None:
    def run(fn: str, output: str = "yes please", **extra: Any) -> Any:
        check = {"check": "python", "function": f"my_checks_mod:{fn}", **extra}
        return run_check(check, record(output), working_directory=checks_dir)

    assert run("polite").passed and not run("polite", "no").passed
    assert run("scored", "12345").passed and run("scored", "12345").score == 0.5
    assert not run("scored", "1234").passed
    assert run("scored", "12", min_score=0.2).passed
    full = run("full")
    assert (full.passed, full.score, full.reason) == (
        False,
        0.3,
        "too short for What is my balance?",
    )
    assert run("as_dict").passed and run("as_dict").score == 0.9
    broken = run("broken")
    assert broken.grading_error and "raised RuntimeError: oops" in (broken.reason or "")
    odd = run("odd")
    assert odd.grading_error and "returned 'yes'" in (odd.reason or "")
    # A score must be a number in [0, 1]: NaN or 7 would poison the weighted score.
    assert run("nan").grading_error and run("huge").grading_error


def test_python_check_that_cannot_be_imported_is_a_config_error(checks_dir: Path) -> None:
    for spec, words in [
        ("no_such_module_xyz:f", "cannot import"),
        ("my_checks_mod:missing", "has no attribute 'missing'"),
    ]:
        with pytest.raises(ConfigError) as info:
            run_check({"check": "python", "function": spec}, record(), working_directory=checks_dir)
        assert info.value.key == "evaluation.checks[0].function"
        assert words in info.value.message
    (checks_dir / "exits_mod.py").write_text("import sys\nsys.exit(3)\n")
    with pytest.raises(ConfigError) as info:
        run_check(
            {"check": "python", "function": "exits_mod:f"}, record(), working_directory=checks_dir
        )
    assert "SystemExit: 3" in info.value.message
    sys.modules.pop("exits_mod", None)


def test_error_selector_reads_the_agent_error() -> None:
    run = record(None, status="error", error=("ValueError", "bad input"))
    assert run_check({"check": "contains", "keywords": ["bad input"], "on": "error"}, run).passed
    assert run_check({"check": "output_not_empty", "on": "error"}, record("ok")).reason == (
        "error is empty"
    )


def test_python_check_must_be_a_plain_function(checks_dir: Path) -> None:
    (checks_dir / "async_mod.py").write_text(
        "async def f(text, run):\n    return True\n"
        "class Judge:\n    def check(self, text, run):\n        return text == 'ok'\n"
    )
    with pytest.raises(ConfigError) as info:
        run_check(
            {"check": "python", "function": "async_mod:f"}, record(), working_directory=checks_dir
        )
    assert "is async" in info.value.message
    method = {"check": "python", "function": "async_mod:Judge.check"}
    assert run_check(method, record("ok"), working_directory=checks_dir).passed
    sys.modules.pop("async_mod", None)
