"""Scripted conversations: one run of several turns, held in the driver, reproducible."""

from __future__ import annotations

from typing import Any

import pytest
from conversation_helpers import HISTORY_AGENT, INSTANCE_AGENT, contents, middle_turn, run, setting

from fluxloop_core.errors import UserError
from fluxloop_core.runner.events import RunFinished, TurnFinished
from fluxloop_core.runner.experiment import RunOptions, run_experiment

Project = Any  # the `project` fixture of conftest.py


def test_a_conversation_is_one_trace_line_with_its_turns(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    traces = run(project, setting(inputs='[{input: "hi", metadata: {persona: brief}}]'))

    (trace,) = traces
    assert trace["run_id"] == "0.0"
    assert trace["persona"] == "brief"
    assert contents(trace) == ["hi", "1:hi", "ok", "3:ok"]
    assert [t["role"] for t in trace["turns"]] == ["user", "assistant"] * 2
    assert [t["source"] for t in trace["turns"]] == ["input", "agent", "persona:brief", "agent"]
    assert trace["turn_count"] == 2
    assert trace["termination_reason"] == "script_complete"
    assert trace["output"] == "3:ok"
    assert trace["status"] == "success"


def test_same_seed_gives_identical_turns_and_another_seed_may_not(project: Project) -> None:
    project.write("agent.py", "def run(text, messages):\n    return text\n")
    text = setting(inputs="[" + ", ".join(f'"i{n}"' for n in range(12)) + "]")
    first = run(project, text)
    second = run(project, text)
    reseeded = run(project, text.replace("max_turns: 6", "max_turns: 6\n  seed: 7"))

    assert [contents(t) for t in first] == [contents(t) for t in second]
    assert [contents(t) for t in first] != [contents(t) for t in reseeded]
    picked = {t["turns"][2]["content"] for t in first if t["persona"] == "curious"}
    assert len(picked) > 1  # the alternatives are really picked among


def test_a_class_method_target_keeps_one_instance_per_conversation(project: Project) -> None:
    project.write("agent.py", INSTANCE_AGENT)
    traces = run(
        project,
        setting(
            inputs='[{input: "x", metadata: {persona: brief}}, {input: "y", '
            "metadata: {persona: brief}}]",
            conversation="seed: 0",
            target="agent:Bot.reply",
        ),
    )

    assert [t["output"] for t in traces] == ["x|ok", "y|ok"]


def test_stop_when_ends_the_conversation(project: Project) -> None:
    # curious: why/how/... then boom/slow: pick run ids whose second follow-up is "boom"
    # away by letting the agent never fail: every follow-up is answered.
    project.write("agent.py", "def run(text, messages):\n    return f'{len(messages)}:thanks'\n")
    (trace,) = run(project, setting(inputs='["a"]'))

    assert trace["termination_reason"] == "stop_condition"
    assert trace["turn_count"] == 3
    assert trace["output"] == "5:thanks"


def test_max_turns_ends_the_conversation(project: Project) -> None:
    project.write("agent.py", "def run(text, messages):\n    return 'fine'\n")
    (trace,) = run(project, setting(inputs='["a"]'), max_turns=2)

    assert trace["termination_reason"] == "max_turns"
    assert trace["turn_count"] == 2
    assert trace["status"] == "success"


def test_an_error_on_a_middle_turn_ends_with_agent_error(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    trace = middle_turn(project, "boom")

    assert trace["termination_reason"] == "agent_error"
    assert trace["status"] == "error"
    assert trace["turn_count"] == 3
    assert trace["error"]["type"] == "ValueError"
    assert trace["turns"][-1]["status"] == "error"
    assert trace["turns"][1]["status"] == "success"


def test_a_timeout_on_a_middle_turn_ends_with_timeout(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    trace = middle_turn(project, "slow")

    assert trace["termination_reason"] == "timeout"
    assert trace["status"] == "timeout"
    assert trace["turn_count"] == 3


def test_personas_go_round_robin_unless_metadata_or_flag_names_one(project: Project) -> None:
    project.write("agent.py", "def run(text, messages):\n    return text\n")
    inputs = '["a", "b", "c", {input: "d", metadata: {persona: curious}}]'

    default = run(project, setting(inputs=inputs))
    flagged = run(project, setting(inputs=inputs), persona="brief")

    assert [t["persona"] for t in default] == ["curious", "brief", "curious", "curious"]
    assert [t["persona"] for t in flagged] == ["brief", "brief", "brief", "curious"]


def test_multi_turn_flag_turns_conversations_on(project: Project) -> None:
    project.write("agent.py", "def run(text, messages):\n    return text\n")
    text = setting(inputs='["a"]').replace("enabled: true", "enabled: false")

    (single,) = run(project, text)
    (conversation,) = run(project, text, multi_turn=True, persona="brief")

    assert "turns" not in single
    assert conversation["turn_count"] == 2
    with pytest.raises(UserError, match="conversations are off"):
        run(project, text, persona="brief")


def test_evaluation_reads_the_last_reply(project: Project) -> None:
    project.write("agent.py", "def run(text, messages):\n    return f'{len(messages)}:{text}'\n")
    text = setting(
        inputs='[{input: "a", metadata: {persona: brief}}]',
        # The first reply is "1:a", the last "3:ok": only the last passes both.
        extra="evaluation:\n  checks:\n    - check: contains\n      keywords: ['3:ok']\n"
        "    - check: not_contains\n      keywords: ['1:a']\n",
    )
    result = run_experiment(project.config(text), RunOptions(use_collector=False))

    assert result.evaluation is not None
    assert result.evaluation.passed_runs == 1


@pytest.mark.parametrize(
    ("extra", "options", "key", "says"),
    [
        ("", {"persona": "nobody"}, "personas", "defines none of that name"),
    ],
)
def test_unsupported_combinations_are_config_errors(
    project: Project, extra: str, options: dict[str, Any], key: str, says: str
) -> None:
    project.write("agent.py", "def run(text, messages):\n    return text\n")
    text = setting().replace("  timeout_seconds: 0.5\n", "  timeout_seconds: 0.5\n" + extra)

    with pytest.raises(UserError, match=says) as raised:
        run_experiment(project.config(text), RunOptions(use_collector=False, **options))

    assert raised.value.key == key
    assert not (project.dir / "experiments").exists()


def test_a_plain_function_without_history_param_is_refused(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")

    with pytest.raises(UserError, match="history_param") as raised:
        run_experiment(
            project.config(setting(conversation="seed: 0")), RunOptions(use_collector=False)
        )

    assert raised.value.line is not None


def test_each_finished_turn_is_told_before_its_run_ends(project: Project) -> None:
    project.write("agent.py", HISTORY_AGENT)
    events: list[Any] = []
    text = setting(inputs='[{input: "hi", metadata: {persona: brief}}]')
    run_experiment(project.config(text), RunOptions(use_collector=False), on_event=events.append)

    told = [e for e in events if isinstance(e, TurnFinished | RunFinished)]
    assert told == [
        TurnFinished("0.0", 1, 6, "success"),
        TurnFinished("0.0", 2, 6, "success"),
        told[-1],
    ]
    assert isinstance(told[-1], RunFinished) and told[-1].run_id == "0.0"
