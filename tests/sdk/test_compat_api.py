"""The released fluxloop 0.1.8 public API, run under this SDK.

The corpus in tests/fixtures/compat/agents/ was written only against the released SDK
and checked under it (tests/fixtures/compat/verify_corpus.py); each agent asserts the
released semantics it relies on. Here each runs under ours, and the spans show that the
keywords mean what they meant.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import json
import os
import uuid
from pathlib import Path
from typing import Any

import fluxloop
import pytest
from compat_helpers import Collector, load_agent
from fluxloop.models import uuid_for


@pytest.mark.parametrize("name", ["decorated", "instrumented", "recording", "settings", "models"])
def test_each_corpus_agent_runs_unchanged(name: str) -> None:
    agent = load_agent(name)
    with fluxloop.capture_spans():
        agent.run("how do I get started?")


def test_the_settings_agent_leaves_settings_and_environment_as_it_found_them() -> None:
    before = fluxloop.get_config()
    load_agent("settings").run("x")
    assert fluxloop.get_config() == before
    assert "COMPAT_GREETING" not in os.environ


def test_the_client_agent_posts_one_trace_and_one_observation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    collector = Collector()
    try:
        monkeypatch.setenv("COMPAT_COLLECTOR_URL", collector.url)
        answers = load_agent("client").run("refund")
    finally:
        collector.server.shutdown()
    trace_id = answers["trace_id"]
    assert collector.paths() == ["/api/traces", f"/api/traces/{trace_id}/observations"]
    assert answers["trace"] == {"status": "ok", "path": "/api/traces"}
    (_, headers, trace), (_, _, observation) = collector.requests
    assert headers["Authorization"] == "Bearer compat-key"
    assert trace["id"] == trace_id and trace["name"] == "compat-client"
    assert trace["status"] == "success" and trace["input"] == "refund"
    assert None not in trace.values() and "end_time" not in trace
    assert observation["trace_id"] == trace_id and observation["type"] == "tool"
    assert observation["input"] == {"q": "refund"}


def test_the_client_agent_without_a_collector_says_so() -> None:
    answers = load_agent("client").run("offline")
    assert answers["observation"] == {"status": "collector_disabled"}


def _by_name(spans: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {span["name"]: span for span in spans}


def test_decorator_keywords_shape_the_spans() -> None:
    decorated = load_agent("decorated")
    with fluxloop.capture_spans() as spans:
        decorated.run("hello there")
    named = _by_name(spans)
    assert named["CompatAgent"]["kind"] == "agent"
    assert named["CompatAgent"]["metadata"] == {"suite": "compat"}
    assert named["tokenize"]["metadata"] == {"description": "Split a text into words"}
    complete = named["complete"]
    assert complete["kind"] == "prompt" and complete["metadata"] == {"model": "gpt-4o"}
    assert complete["usage"] == {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4}
    assert named["plain_prompt"]["metadata"] == {} and "usage" not in named["plain_prompt"]
    plan = named["plan"]
    assert (plan["kind"], plan["metadata"]) == ("chain", {"step": 1})
    assert plan["inputs"] is None and plan["output"] is None  # capture_input/output=False
    quiet = named["quiet_agent"]
    assert (quiet["kind"], quiet["inputs"], quiet["output"]) == ("agent", None, None)
    assert named["draft"]["kind"] == "generation"
    assert named["span_step"]["kind"] == "trace"  # the default observation type, span
    by_type = {name: span["kind"] for name, span in named.items() if name.endswith("-by-name")}
    assert by_type == {
        f"{kind.value}-by-name": ("trace" if kind.value == "span" else kind.value)
        for kind in fluxloop.ObservationType
    }


def test_capture_tokens_false_and_async_functions() -> None:
    decorated = load_agent("decorated")
    with fluxloop.capture_spans() as spans:
        result = asyncio.run(decorated.run_async("refunds"))
    assert result == "doc about refunds|draft: refunds"
    named = _by_name(spans)
    assert named["summarize"]["metadata"] == {"model": "gpt-4o-mini"}
    assert "usage" not in named["summarize"]
    assert named["search"]["metadata"] == {"description": "Find documents for a query"}


def test_a_failing_call_keeps_its_exception_and_records_it() -> None:
    with fluxloop.capture_spans() as spans, pytest.raises(LookupError, match="no entry for x"):
        load_agent("decorated").raises("x")
    assert spans[0]["error"]["type"] == "LookupError"


@pytest.mark.parametrize("bad", ["not-a-type", "GENERATION", "", {"type": "span"}, 3])
def test_an_unknown_observation_type_is_refused_with_the_valid_ones(bad: Any) -> None:
    with pytest.raises(fluxloop.ConfigurationError, match="generation, tool, agent"):
        fluxloop.trace(observation_type=bad)


def test_tool_and_prompt_take_description_and_model_positionally_as_released() -> None:
    @fluxloop.tool("lookup", "find a word")
    def lookup(word: str) -> str:
        return word

    @fluxloop.prompt("ask", "gpt-4o", False)
    def ask(text: str) -> dict[str, Any]:
        return {"usage": {"total_tokens": 1}}

    with fluxloop.capture_spans() as spans:
        lookup("w")
        ask("q")
    assert spans[0]["metadata"] == {"description": "find a word"}
    assert spans[1]["metadata"] == {"model": "gpt-4o"} and "usage" not in spans[1]


@pytest.mark.parametrize(
    "result",
    [{"usage": None}, {"usage": "12"}, ["usage"], "usage", None, {"text": "no usage"}],
)
def test_results_without_a_usable_usage_give_no_token_counts(result: Any) -> None:
    @fluxloop.prompt(model="m")
    def ask() -> Any:
        return result

    with fluxloop.capture_spans() as spans:
        assert ask() is result
    assert "usage" not in spans[0]


def test_capture_flags_hold_for_generators() -> None:
    @fluxloop.agent(capture_input=False, capture_output=False)
    def stream(secret: str) -> Any:
        yield from secret

    with fluxloop.capture_spans() as spans:
        assert list(stream("ab")) == ["a", "b"]
    assert spans[0]["inputs"] is None and spans[0]["output"] is None


# --- instrument / get_current_context -------------------------------------------------


def test_no_context_outside_a_trace() -> None:
    assert fluxloop.get_current_context() is None


def test_a_decorated_call_has_a_context_named_after_its_root() -> None:
    seen: list[fluxloop.FluxLoopContext | None] = []

    @fluxloop.tool()
    def inner() -> None:
        seen.append(fluxloop.get_current_context())

    @fluxloop.agent(name="root")
    def outer() -> None:
        seen.append(fluxloop.get_current_context())
        inner()

    outer()
    first, second = seen
    assert first is second and first is not None
    assert first.trace.name == "root" and isinstance(first.trace.id, uuid.UUID)


def test_instrument_sets_the_trace_fields_and_yields_one_context() -> None:
    session, wanted = uuid.uuid4(), uuid.uuid4()
    with (
        fluxloop.capture_spans() as spans,
        fluxloop.instrument(
            "block", session_id=session, user_id="u", metadata={"a": 1}, tags=["t"], trace_id=wanted
        ) as context,
    ):
        assert fluxloop.get_current_context() is context
        assert (context.trace.id, context.trace.session_id) == (wanted, session)
    assert spans[0]["trace_id"] == str(wanted)
    assert spans[0]["kind"] == "instrument" and spans[0]["metadata"] == {"a": 1}


@pytest.mark.parametrize("bad_id", ["not-a-uuid", "", "1234"])
def test_a_trace_id_that_is_not_a_uuid_is_ignored_as_released(bad_id: str) -> None:
    with fluxloop.instrument("block", trace_id=bad_id) as context:
        assert isinstance(context.trace.id, uuid.UUID)
        assert str(context.trace.id) != bad_id


def test_a_nested_instrument_is_a_child_span_that_adds_to_the_enclosing_trace() -> None:
    with fluxloop.capture_spans() as spans, fluxloop.instrument("outer", tags=["a"]) as outer:
        with fluxloop.instrument("inner", user_id="u2", tags=["a", "b"]) as inner:
            assert inner is outer
        assert outer.trace.tags == ["a", "b"] and outer.trace.user_id == "u2"
    assert spans[0]["parent_id"] == spans[1]["span_id"]


def test_instrument_works_with_async_with() -> None:
    async def main() -> str:
        async with fluxloop.instrument("async-block", user_id="u") as context:
            return str(context.trace.user_id)

    assert asyncio.run(main()) == "u"


def test_instrument_when_disabled_yields_a_detached_context() -> None:
    fluxloop.configure(enabled=False)
    with fluxloop.capture_spans() as spans, fluxloop.instrument("off", tags=["t"]) as context:
        assert not context.is_enabled()
        assert context.trace.tags == ["t"]
        assert fluxloop.get_current_context() is None
    assert spans == []


def test_context_ids_are_what_the_legacy_format_sends() -> None:
    with fluxloop.capture_spans() as spans, fluxloop.instrument("block") as context:
        pass
    assert context.trace.id == uuid_for(spans[0]["trace_id"])


# --- recording ------------------------------------------------------------------------


def test_enable_recording_takes_a_path_and_restarts_the_counters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    fluxloop.enable_recording("rec/args.jsonl")
    assert fluxloop.get_config().recording_file == str(tmp_path / "rec" / "args.jsonl")
    fluxloop.record_call_args("m:f", data=1)
    fluxloop.record_call_args("m:f", data=2)
    fluxloop.enable_recording(tmp_path / "rec" / "args.jsonl")
    fluxloop.record_call_args("m:f", data=3)
    fluxloop.disable_recording()
    fluxloop.record_call_args("m:f", data=4)
    lines = [
        json.loads(line) for line in (tmp_path / "rec" / "args.jsonl").read_text().splitlines()
    ]
    assert [(line["iteration"], line["kwargs"]["data"]) for line in lines] == [
        (0, 1),
        (1, 2),
        (0, 3),
    ]
    assert fluxloop.get_config().record_args is False


def test_record_call_args_still_refuses_a_call_without_any_target() -> None:
    with pytest.raises(TypeError):
        fluxloop.record_call_args(data=1)  # type: ignore[call-arg]


# --- the public names -----------------------------------------------------------------

RELEASED_ALL = {
    "agent", "prompt", "tool", "trace", "instrument", "get_current_context", "FluxLoopContext",
    "FluxLoopClient", "configure", "load_env", "get_config", "reset_config", "enable_recording",
    "disable_recording", "set_recording_options", "record_call_args", "ExperimentConfig",
    "PersonaConfig", "RunnerConfig", "VariationStrategy", "Trace", "Observation",
    "ObservationType", "ObservationLevel", "Score", "ScoreDataType", "TraceStatus",
}  # fmt: skip


def test_every_released_public_name_is_exported() -> None:
    assert set(fluxloop.__all__) >= RELEASED_ALL
    assert all(hasattr(fluxloop, name) for name in fluxloop.__all__)


@pytest.mark.parametrize(
    ("module", "names"),
    [
        ("fluxloop.config", ["configure", "get_config", "reset_config", "load_env"]),
        ("fluxloop.context", ["FluxLoopContext", "get_current_context", "instrument"]),
        ("fluxloop.decorators", ["agent", "prompt", "tool", "trace"]),
        ("fluxloop.client", ["FluxLoopClient"]),
        ("fluxloop.models", ["ObservationType", "ObservationLevel"]),
        (
            "fluxloop.recording",
            ["enable_recording", "disable_recording", "record_call_args", "set_recording_options"],
        ),
        ("fluxloop.schemas", sorted(RELEASED_ALL & {"Trace", "ExperimentConfig", "Score"})),
    ],
)
def test_the_released_module_paths_still_import(module: str, names: list[str]) -> None:
    imported = importlib.import_module(module)
    assert all(hasattr(imported, name) for name in names)


def test_recording_file_none_means_the_default_file_as_released() -> None:
    fluxloop.configure(recording_file="/tmp/elsewhere.jsonl")
    assert fluxloop.configure(recording_file=None).recording_file == "/tmp/fluxloop_args.jsonl"


def test_the_example_agent_fluxloop_cli_0_2_wrote_runs() -> None:
    from compat_helpers import FIXTURES

    path = FIXTURES / "fluxloop" / "demo-agent" / "examples" / "simple_agent.py"
    spec = importlib.util.spec_from_file_location("compat_simple_agent", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with fluxloop.capture_spans() as spans, fluxloop.instrument("test_run"):
        assert module.run("Hello there") == "Hello! How can I help you today?"
    assert [(s["name"], s["kind"]) for s in spans] == [
        ("process_input", "tool"),
        ("generate_response", "prompt"),
        ("SimpleAgent", "agent"),
        ("test_run", "instrument"),
    ]
    assert spans[1]["metadata"] == {"model": "simple-model"}
