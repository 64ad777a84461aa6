"""Both collector formats, received by a real HTTP server on 127.0.0.1.

``fluxloop`` batches whole traces; ``legacy`` is what the released fluxloop 0.1.8 SDK
sent: one POST per trace, then one per observation, with the field names of its models
(checked against the bodies 0.1.8 itself wrote in the committed fixture).
"""

from __future__ import annotations

import contextlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import fluxloop
import httpx
import pytest
from compat_helpers import FIXTURES, Collector, load_agent

# The fields of fluxloop 0.1.8's ObservationData and TraceData (fluxloop/models.py).
RELEASED_OBSERVATION_FIELDS = {
    "id", "type", "name", "start_time", "end_time", "input", "output", "error", "level",
    "status_message", "metadata", "model", "llm_parameters", "prompt_tokens",
    "completion_tokens", "total_tokens", "parent_observation_id", "trace_id",
}  # fmt: skip
RELEASED_TRACE_FIELDS = {
    "id", "name", "start_time", "end_time", "session_id", "user_id", "metadata", "tags",
    "experiment_id", "iteration", "persona", "variation_seed", "input", "output",
}  # fmt: skip
RELEASED_ARTIFACTS = FIXTURES / "fluxloop" / "demo-agent" / "experiments" / "artifacts"


@pytest.fixture()
def collector() -> Iterator[Collector]:
    server = Collector()
    yield server
    server.server.shutdown()


def _released(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (RELEASED_ARTIFACTS / name).read_text().splitlines()]


def test_the_field_lists_match_what_0_1_8_really_wrote() -> None:
    observations = _released("observations.jsonl")
    assert observations and all(set(o) <= RELEASED_OBSERVATION_FIELDS for o in observations)
    assert all(set(t) <= RELEASED_TRACE_FIELDS for t in _released("traces.jsonl"))


def _bodies(collector: Collector) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    (first_path, _, trace), *rest = collector.requests
    assert first_path == "/api/traces"
    return trace, [body for _, _, body in rest]


def test_legacy_sends_an_instrument_block_as_0_1_8_did(collector: Collector) -> None:
    fluxloop.configure(
        collector_url=collector.url,
        collector_format="legacy",
        api_key="k-1",
        service_name="svc",
        environment="staging",
    )
    session, wanted = uuid.uuid4(), uuid.uuid4()
    decorated = load_agent("decorated")
    with fluxloop.instrument(
        "checkout", session_id=session, user_id="u1", metadata={"m": 1}, tags=["t"], trace_id=wanted
    ) as context:
        decorated.run("hello there")
        context.add_tag("late")
    assert fluxloop.flush(10.0)

    paths = collector.paths()
    assert paths[0] == "/api/traces"
    assert set(paths[1:]) == {f"/api/traces/{wanted}/observations"}
    for _, headers, _ in collector.requests:
        assert headers["Authorization"] == "Bearer k-1"
        assert (headers["X-Service-Name"], headers["X-Environment"]) == ("svc", "staging")
    trace, observations = _bodies(collector)
    assert set(trace) <= RELEASED_TRACE_FIELDS
    assert trace | {"start_time": None, "end_time": None} == {
        "id": str(wanted),
        "name": "checkout",
        "session_id": str(session),
        "user_id": "u1",
        "metadata": {"m": 1},
        "tags": ["t", "late"],
        "start_time": None,
        "end_time": None,
    }
    ids = {o["id"] for o in observations}
    assert len(ids) == len(observations)  # the instrument block is the trace, not one of them
    for observation in observations:
        assert set(observation) <= RELEASED_OBSERVATION_FIELDS
        assert observation["trace_id"] == str(wanted)
        assert observation["type"] in {t.value for t in fluxloop.ObservationType}
        assert observation.get("parent_observation_id", next(iter(ids))) in ids
        uuid.UUID(observation["id"])
    named = {o["name"]: o for o in observations}
    assert "parent_observation_id" not in named["CompatAgent"]  # a child of the block
    assert named["CompatAgent"]["type"] == "agent"
    assert named["complete"] | {"start_time": 0, "end_time": 0, "id": 0} == {
        "id": 0,
        "type": "generation",
        "name": "complete",
        "start_time": 0,
        "end_time": 0,
        "input": {"prompt": "hello there"},
        "output": {
            "text": "answer to hello there",
            "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4},
        },
        "level": "info",
        "metadata": {},
        "model": "gpt-4o",
        "prompt_tokens": 2,
        "completion_tokens": 2,
        "total_tokens": 4,
        "parent_observation_id": named["CompatAgent"]["id"],
        "trace_id": str(wanted),
    }
    assert named["tokenize"]["metadata"] == {"description": "Split a text into words"}
    assert (named["plan"]["type"], "input" in named["plan"]) == ("chain", False)
    assert named["span_step"]["type"] == "span"


def test_legacy_sends_a_decorated_root_as_trace_and_observation(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url, collector_format="legacy")

    @fluxloop.tool(description="fails")
    def broken() -> None:
        raise KeyError("gone")

    @fluxloop.agent(name="root")
    def root() -> None:
        broken()

    with pytest.raises(KeyError):
        root()
    assert fluxloop.flush(10.0)
    trace, observations = _bodies(collector)
    assert (trace["name"], trace["tags"], trace["metadata"]) == ("root", [], {})
    assert "session_id" not in trace and "user_id" not in trace
    failed, agent = observations  # children finish first, as 0.1.8 sent them
    assert agent["type"] == "agent" and "parent_observation_id" not in agent
    assert failed["parent_observation_id"] == agent["id"]
    assert failed["error"] == "'gone'"
    assert failed["metadata"]["error_type"] == "KeyError"
    assert "KeyError" in failed["metadata"]["traceback"]
    assert failed["metadata"]["description"] == "fails"


def test_the_fluxloop_format_batches_and_carries_the_trace_fields(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url, batch_size=5)
    with fluxloop.instrument("block", user_id="u", tags=["t"]):
        load_agent("decorated").run("x")

    @fluxloop.agent()
    def plain() -> str:
        return "p"

    plain()
    assert fluxloop.flush(10.0)
    assert collector.paths() == ["/api/traces"]
    block, bare = collector.requests[0][2]["traces"]
    assert (block["name"], block["user_id"], block["tags"]) == ("block", "u", ["t"])
    assert block["spans"][-1]["kind"] == "instrument"
    assert set(bare) == {"trace_id", "spans"}  # nothing asked for the released fields


def test_legacy_inputs_are_named_by_parameter_with_defaults(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url, collector_format="legacy")

    class Shop:
        @fluxloop.tool()
        def buy(self, item: str, count: int = 1, *extra: str, **options: Any) -> None:
            pass

    @fluxloop.agent()
    def checkout(api_key: str) -> None:
        Shop().buy("pen", 2, "gift", colour="red")
        Shop().buy(item="ink")

    with fluxloop.capture_spans() as spans:
        checkout("sk-live")
    assert fluxloop.flush(10.0)
    _, observations = _bodies(collector)
    inputs = [{k: v for k, v in o["input"].items() if k != "self"} for o in observations]
    assert inputs == [
        {"item": "pen", "count": 2, "extra": ["gift"], "options": {"colour": "red"}},
        {"item": "ink", "count": 1, "extra": [], "options": {}},
        {"api_key": "<redacted>"},
    ]
    assert all(span["arguments"]["count"] in (1, 2) for span in spans[:2])


def test_spans_carry_no_named_arguments_in_the_fluxloop_format(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url)
    with fluxloop.capture_spans() as spans:
        load_agent("decorated").run("x")
    assert fluxloop.flush(10.0)
    assert not any("arguments" in span for span in spans)


def test_legacy_read_from_its_environment_variable(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLUXLOOP_COLLECTOR_FORMAT", "legacy")
    monkeypatch.setenv("FLUXLOOP_COLLECTOR_URL", collector.url)
    fluxloop.reset_config()
    with fluxloop.instrument("env"):
        pass
    assert fluxloop.flush(10.0)
    assert collector.paths() == ["/api/traces"]  # a block with no calls: no observations


def test_legacy_retries_a_server_error_and_counts_each_trace(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url, collector_format="legacy", batch_size=1)
    collector.fail_next = 2
    load_agent("decorated").quiet_agent("x")
    assert fluxloop.flush(10.0)
    _, (observation,) = _bodies(collector)
    assert (
        observation["type"] == "agent"
        and "input" not in observation
        and "output" not in observation
    )
    assert fluxloop.exporter_stats()["failed"] == 0


def test_legacy_sends_no_observations_of_a_trace_the_collector_did_not_take(
    collector: Collector,
) -> None:
    fluxloop.configure(collector_url=collector.url, collector_format="legacy", batch_size=1)
    before = fluxloop.exporter_stats()["failed"]
    collector.fail_next = 4  # every attempt at the trace itself
    load_agent("decorated").quiet_agent("x")
    assert fluxloop.flush(10.0)
    assert collector.requests == []
    assert fluxloop.exporter_stats()["failed"] == before + 1


# --- FluxLoopClient -------------------------------------------------------------------


def test_the_client_raises_on_an_error_answer(collector: Collector) -> None:
    collector.status = 422
    with (
        fluxloop.FluxLoopClient(collector_url=collector.url) as client,
        pytest.raises(httpx.HTTPStatusError),
    ):
        client.send_trace(fluxloop.Trace(name="refused"))


def test_the_client_sends_the_legacy_bodies_with_the_settings_headers(
    collector: Collector,
) -> None:
    fluxloop.configure(collector_url=collector.url, api_key="k", service_name="svc")
    trace = fluxloop.Trace(name="t", session_id=uuid.uuid4(), metadata={"api_key": "sk-1"})
    with fluxloop.FluxLoopClient() as client:
        client.send_trace(trace)
    ((path, headers, body),) = collector.requests
    assert path == "/api/traces" and headers["Authorization"] == "Bearer k"
    assert headers["X-Service-Name"] == "svc"
    assert body["session_id"] == str(trace.session_id) and body["status"] == "pending"
    assert body["metadata"] == {"api_key": "<redacted>"}


@pytest.mark.parametrize(
    ("settings", "status"),
    [({"enabled": False}, "disabled"), ({"use_collector": False}, "collector_disabled")],
)
def test_the_client_sends_nothing_when_switched_off(
    collector: Collector, settings: dict[str, Any], status: str
) -> None:
    fluxloop.configure(collector_url=collector.url, **settings)
    client = fluxloop.FluxLoopClient()
    observation = fluxloop.Observation(
        trace_id=uuid.uuid4(), type=fluxloop.ObservationType.EVENT, name="e"
    )
    assert client.send_observation(observation.trace_id, observation) == {"status": status}
    client.close()
    assert collector.requests == []


# --- against what 0.1.8 really sent ---------------------------------------------------

RELEASED_WIRE = FIXTURES / "wire" / "released_0_1_8.json"
TIMES = ("start_time", "end_time")


def _without(body: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in body.items() if key not in keys}


# The agent of wire/make_wire.py. At module level: span names default to the qualified
# name here (0.1.x: __name__), which for a function inside a test holds "<locals>".
@fluxloop.tool(description="Look a word up")
def lookup(word: str) -> dict[str, Any]:
    return {"word": word, "found": True}


@fluxloop.prompt(model="gpt-4o")
def complete(prompt: str) -> dict[str, Any]:
    usage = {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    return {"text": f"answer to {prompt}", "usage": usage}


@fluxloop.tool(description="always fails")
def broken(text: str) -> None:
    raise LookupError(f"no entry for {text}")


@fluxloop.agent(name="WireAgent", metadata={"suite": "wire"})
def wire_agent(input_text: str) -> str:
    lookup(input_text)
    with contextlib.suppress(LookupError):
        broken(input_text)
    return str(complete(input_text)["text"])


def test_legacy_sends_what_0_1_8_sent_for_the_same_agent(collector: Collector) -> None:
    """The scenario of wire/make_wire.py, run under this SDK, against its recording."""
    released = json.loads(RELEASED_WIRE.read_text())
    fluxloop.configure(
        collector_url=collector.url,
        collector_format="legacy",
        api_key="wire-key",
        service_name="wire-service",
        environment="staging",
        batch_size=100,
    )

    with fluxloop.instrument(
        "wire-block",
        session_id=uuid.UUID("00000000-0000-4000-8000-000000000001"),
        user_id="user-1",
        metadata={"source": "wire"},
        tags=["wire"],
        trace_id=uuid.UUID("00000000-0000-4000-8000-0000000000aa"),
    ):
        wire_agent("refunds")
    assert fluxloop.flush(10.0)

    ours = [{"path": p, "headers": h, "body": b} for p, h, b in collector.requests]
    assert [r["path"] for r in ours] == [r["path"] for r in released]
    for mine, theirs in zip(ours, released, strict=True):
        assert mine["headers"] | theirs["headers"] == mine["headers"]  # theirs, all kept
    assert _without(ours[0]["body"], *TIMES) == _without(released[0]["body"], *TIMES)
    for mine, theirs in zip(ours[1:], released[1:], strict=True):
        assert set(mine["body"]) == set(theirs["body"])
        skip = (*TIMES, "id", "parent_observation_id", "metadata")  # fresh ids in each
        assert _without(mine["body"], *skip) == _without(theirs["body"], *skip)
        assert _without(mine["body"]["metadata"], "traceback") == _without(
            theirs["body"]["metadata"], "traceback"
        )
    released_ids = [r["body"]["id"] for r in released[1:]]
    our_ids = [r["body"]["id"] for r in ours[1:]]
    for mine, theirs in zip(ours[1:], released[1:], strict=True):
        parent = theirs["body"].get("parent_observation_id")
        expected = None if parent is None else our_ids[released_ids.index(parent)]
        assert mine["body"].get("parent_observation_id") == expected
