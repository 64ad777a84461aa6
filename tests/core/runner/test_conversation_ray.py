"""Conversations on Ray (a real local Ray, shared by this module's tests): each
conversation's turns on one actor, one instance of a Class.method target per
conversation there, the same conversations as in-process, a middle turn's error or
timeout ending it with the right reason."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import Any

import pytest
from conversation_helpers import BRIEF, COUNTING_AGENT, HISTORY_AGENT, contents, run, setting

if importlib.util.find_spec("ray") is None:
    pytest.skip("the [ray] extra is not installed", allow_module_level=True)

from ray_cluster import (
    Cluster,
    wait_for_no_processes,
)

pytestmark = [pytest.mark.ray, pytest.mark.usefixtures("ray_environment")]

Project = Any  # the `project` fixture of conftest.py
ON_RAY = "  executor: ray\n  ray: {num_actors: 2, batch_size: 1}\n"


@pytest.fixture(autouse=True)
def _no_actor_left() -> Iterator[None]:
    yield
    assert wait_for_no_processes("ray::RunActor") == []


def on_ray(text: str) -> str:
    return text.replace("  timeout_seconds: 0.5\n", "  timeout_seconds: 0.5\n" + ON_RAY)


def test_a_conversation_keeps_one_instance_on_one_actor(project: Project, cluster: Cluster) -> None:
    project.write("agent.py", COUNTING_AGENT)
    text = setting(inputs=f"[{BRIEF}]", conversation="seed: 0", target="agent:Bot.reply")

    traces = run(project, on_ray(text), ray_address=cluster.address)

    assert [t["output"].split(":")[2] for t in traces] == ["x|ok", "y|ok", "z|ok"]
    for trace in traces:
        pids = {turn["content"].split(":")[1] for turn in trace["turns"][1::2]}
        assert len(pids) == 1


def test_same_conversations_as_in_process_middle_turns_ending_them(
    project: Project, cluster: Cluster
) -> None:
    project.write("agent.py", HISTORY_AGENT)
    text = setting(inputs="[" + ", ".join(f'"i{n}"' for n in range(12)) + "]")

    here = run(project, text)
    there = run(project, on_ray(text), ray_address=cluster.address)

    def shape(trace: dict[str, Any]) -> tuple[Any, ...]:
        return (trace["persona"], trace["termination_reason"], trace["status"], contents(trace))

    assert [shape(t) for t in there] == [shape(t) for t in here]
    reasons = {
        t["turns"][4]["content"]: t["termination_reason"] for t in there if t["turn_count"] > 2
    }
    assert reasons == {"boom": "agent_error", "slow": "timeout"}


def test_an_actor_dying_mid_conversation_ends_it_with_agent_error(
    project: Project, cluster: Cluster
) -> None:
    dying = HISTORY_AGENT.replace('if text == "boom":', 'if text == "ok":').replace(
        'raise ValueError("boom")', "import os; os._exit(3)"
    )
    project.write("agent.py", dying)
    text = setting(inputs='[{input: "hi", metadata: {persona: brief}}]')

    (trace,) = run(project, on_ray(text), ray_address=cluster.address)

    assert (trace["termination_reason"], trace["turn_count"]) == ("agent_error", 2)
    assert trace["turns"][1]["status"] == "success"
    assert trace["error"]["type"] == "RayActorDied"
    assert "died before the run finished" in trace["error"]["message"]
