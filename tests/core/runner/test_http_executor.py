"""runner.http: runs as requests to a real agent server on 127.0.0.1."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from agent_server import agent_serving, answer, drop, endless, jsonl, slow, sse
from agent_server import http_setting as setting

from fluxloop_core.runner.experiment import RunOptions, run_experiment
from fluxloop_core.runner.http_executor import retry_after_seconds, sse_text

Project = Any  # the `project` fixture of conftest.py


def run(project: Project, text: str) -> tuple[Any, list[dict[str, Any]]]:
    result = run_experiment(project.config(text), RunOptions(use_collector=False))
    return result, project.traces(result.experiment_dir)


def by_input(traces: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {t["input"]: t for t in traces}


def test_json_answer_at_response_path_with_a_filled_template(project: Project) -> None:
    with agent_serving() as agent:
        body = 'body: {message: "{input}", session: "{metadata.session}", n: "{metadata.n}"}'
        inputs = '[{input: "hi \\"there\\" {x}", metadata: {session: s1, n: 3}}]'
        text = setting(agent.url, body, 'response_path: "reply.text"', inputs=inputs)
        _, traces = run(project, text)

    (trace,) = traces
    assert trace["status"] == "success"
    assert trace["output"] == 'echo: hi "there" {x}'
    # Placeholders are replaced in values: quotes and braces of the input stay text, and a
    # value that is one placeholder keeps the metadata's type.
    assert agent.requests[0][1] == {"message": 'hi "there" {x}', "session": "s1", "n": 3}
    (span,) = trace["spans"]
    assert span["kind"] == "http" and span["status_code"] == 200
    assert 0 <= span["ttfb_ms"] <= span["duration_ms"]


def test_the_whole_answer_is_the_output_without_response_path(project: Project) -> None:
    with agent_serving(answer({"reply": {"text": "x"}, "n": 1})) as agent:
        _, traces = run(project, setting(agent.url))

    assert [t["output"] for t in traces] == [{"reply": {"text": "x"}, "n": 1}] * 2
    assert agent.requests[0][1] == {"input": "a"} or agent.requests[0][1] == {"input": "b"}


def test_a_missing_response_path_is_an_error_naming_it(project: Project) -> None:
    with agent_serving(answer({"reply": {}})) as agent:
        _, traces = run(project, setting(agent.url, 'response_path: "reply.text"'))

    assert {t["status"] for t in traces} == {"error"}
    assert "response_path 'reply.text': reply has no 'text'" in traces[0]["error"]["message"]


def test_sse_events_are_joined_into_the_output(project: Project) -> None:
    with agent_serving(sse(["Hel", "lo", "[DONE]", "ignored"])) as agent:
        _, traces = run(project, setting(agent.url, "stream: sse"))

    assert [t["output"] for t in traces] == ["Hello", "Hello"]


def test_a_slow_answer_hits_the_total_deadline(project: Project) -> None:
    with agent_serving(slow(5)) as agent:
        _, traces = run(project, setting(agent.url, "timeout_seconds: 0.3", inputs='["a"]'))

    (trace,) = traces
    assert trace["status"] == "timeout"
    assert trace["error"]["message"] == "no answer within timeout_seconds=0.3"


def test_an_answer_that_never_ends_is_a_timeout(project: Project) -> None:
    with agent_serving(endless) as agent:
        _, traces = run(project, setting(agent.url, "timeout_seconds: 0.5", inputs='["a"]'))

    (trace,) = traces
    assert trace["status"] == "timeout"
    assert trace["error"]["message"] == "no whole answer within timeout_seconds=0.5"


def test_429_with_retry_after_then_success(project: Project) -> None:
    with agent_serving() as agent:
        agent.script = [answer({"error": "busy"}, 429, {"Retry-After": "0"})]
        extra = ("  max_retries: 2", "  retry_delay: 0")
        text = setting(agent.url, 'response_path: "reply.text"', extra=extra, inputs='["a"]')
        _, traces = run(project, text)

    (trace,) = traces
    assert trace["status"] == "success" and trace["attempts"] == 2
    assert trace["output"] == "echo: None"  # the default body has no message key
    assert len(agent.requests) == 2


def test_retry_after_is_waited_even_without_retry_delay(project: Project) -> None:
    with agent_serving() as agent:
        agent.script = [answer({"error": "busy"}, 503, {"Retry-After": "1"})]
        extra = ("  max_retries: 1", "  retry_delay: 0")
        _, traces = run(project, setting(agent.url, extra=extra, inputs='["a"]'))

    assert traces[0]["status"] == "success" and traces[0]["attempts"] == 2
    # A lower bound only: the retry cannot come before the second the agent asked for.
    assert agent.arrivals[1] - agent.arrivals[0] >= 1.0


def test_500_exhausted_is_an_error_with_the_answer_quoted(project: Project) -> None:
    with agent_serving(answer({"error": "boom"}, 500)) as agent:
        extra = ("  max_retries: 2", "  retry_delay: 0")
        result, traces = run(project, setting(agent.url, extra=extra, inputs='["a"]'))

    (trace,) = traces
    assert trace["status"] == "error" and trace["attempts"] == 3
    assert trace["error"]["type"] == "HTTPStatusError"
    assert trace["error"]["message"] == 'the agent answered HTTP 500: {"error": "boom"}'
    assert result.summary.results.failed == 1


def test_a_400_is_not_retried(project: Project) -> None:
    with agent_serving(answer({"error": "bad"}, 400)) as agent:
        extra = ("  max_retries: 3", "  retry_delay: 0")
        _, traces = run(project, setting(agent.url, extra=extra, inputs='["a"]'))

    assert traces[0]["attempts"] == 1 and len(agent.requests) == 1


def test_a_dropped_connection_is_an_error_saying_so(project: Project) -> None:
    with agent_serving(drop) as agent:
        _, traces = run(project, setting(agent.url, inputs='["a"]'))

    (trace,) = traces
    assert trace["status"] == "error"
    assert trace["error"]["message"].startswith(
        "the connection to the agent broke before a whole answer"
    )


def test_a_missing_metadata_key_is_an_error_naming_it(project: Project) -> None:
    with agent_serving() as agent:
        _, traces = run(project, setting(agent.url, 'body: {s: "{metadata.session}"}'))

    assert traces[0]["error"]["message"] == (
        "runner.http.body uses {metadata.session} but this input has no metadata 'session'"
    )
    assert agent.requests == []


def test_parallel_runs_requests_are_in_flight_together(project: Project) -> None:
    with agent_serving(slow(0.3)) as agent:
        inputs = json.dumps([f"q{i}" for i in range(8)])
        text = setting(agent.url, extra=("parallel_runs: 4",), inputs=inputs)
        _, traces = run(project, text)

    assert len(traces) == 8 and {t["status"] for t in traces} == {"success"}
    assert agent.most_in_flight == 4


def test_a_header_secret_from_dotenv_is_sent_but_never_stored(project: Project) -> None:
    secret = "sk-agent-0123456789abcdef"
    project.write(".env", f"AGENT_TOKEN={secret}\n")
    with agent_serving(answer({"reply": "ok"}, 500)) as agent:
        headers = 'headers: {Authorization: "Bearer ${AGENT_TOKEN}", X-Agent-Key: "${AGENT_TOKEN}"}'
        text = setting(f"{agent.url}?api_key=${{AGENT_TOKEN}}", headers, inputs='["a"]')
        result, _ = run(project, text)

    sent = agent.requests[0][0]
    assert sent["authorization"] == f"Bearer {secret}" and sent["x-agent-key"] == secret
    for path in Path(result.experiment_dir).rglob("*"):
        if path.is_file():
            assert secret not in path.read_text(errors="replace"), path
    assert secret not in json.dumps(result.summary.model_dump(mode="json"))


def test_evaluation_checks_grade_http_outputs(project: Project) -> None:
    with agent_serving() as agent:
        extra = (
            "evaluation:",
            "  checks:",
            "    - {check: contains, keywords: ['echo: a']}",
        )
        text = setting(
            agent.url, 'body: {message: "{input}"}', 'response_path: "reply.text"', extra=extra
        )
        result, _ = run(project, text)

    assert result.evaluation is not None
    assert result.evaluation.pass_rate.estimate == 0.5  # "a" passes, "b" does not


def test_retry_after_is_read_as_seconds_or_a_date_and_capped() -> None:
    assert retry_after_seconds("2") == 2.0
    assert retry_after_seconds("9999") == 60.0
    assert retry_after_seconds("-5") == 0.0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
    # 1 January 2030 00:00:30 GMT, seen 30 s before.
    assert retry_after_seconds("Tue, 01 Jan 2030 00:00:30 GMT", now=1893456000.0) == 30.0


def test_sse_text_ignores_other_fields_and_stops_at_done() -> None:
    lines = ["event: delta", "data: a", "", ": comment", "data:b", "data: [DONE]", "data: c"]
    assert sse_text(lines) == "ab"


def test_server_sees_one_connection_reused(project: Project) -> None:
    # keep-alive: serial runs share one pooled connection.
    with agent_serving() as agent:
        ports: list[int] = []
        original = agent.fallback

        def remember_port(handler: Any, body: dict[str, Any]) -> None:
            ports.append(handler.client_address[1])
            original(handler, body)

        agent.fallback = remember_port
        _, traces = run(project, setting(agent.url, inputs='["a", "b", "c"]'))

    assert len(traces) == 3 and len(set(ports)) == 1


def test_jsonl_stream_joins_each_lines_value_and_records_its_first_byte(project: Project) -> None:
    lines = ['{"delta": {"text": "Hel"}}', '{"delta": {"text": "lo"}}', '{"usage": {"n": 2}}']
    with agent_serving(jsonl(lines)) as agent:
        text = setting(agent.url, "stream: jsonl", 'response_path: "delta.text"', inputs='["a"]')
        _, traces = run(project, text)

    (trace,) = traces
    assert trace["status"] == "success", trace["error"]
    assert trace["output"] == "Hello"
    (span,) = trace["spans"]
    assert span["ttfb_ms"] <= span["first_byte_ms"] <= span["duration_ms"]


def test_jsonl_values_that_are_not_text_are_listed(project: Project) -> None:
    with agent_serving(jsonl(['{"n": 1}', "", '{"n": [2]}'])) as agent:
        text = setting(agent.url, "stream: jsonl", 'response_path: "n"', inputs='["a"]')
        _, traces = run(project, text)

    assert traces[0]["output"] == [1, [2]]


def test_jsonl_with_a_line_that_is_not_json_or_no_value_fails_unretried(project: Project) -> None:
    with agent_serving() as agent:
        agent.script += [jsonl(['{"t": "a"}', "oops"]), jsonl(['{"other": 1}'])]
        retried = ("  max_retries: 2", "  retry_delay: 0")
        text = setting(
            agent.url, "stream: jsonl", 'response_path: "t"', extra=retried, inputs='["a"]'
        )
        _, first = run(project, text)
        _, second = run(project, text)

    assert first[0]["status"] == "error"
    assert "line 2 of the answer is not JSON" in first[0]["error"]["message"]
    assert second[0]["status"] == "error"
    assert "has no 't'" in second[0]["error"]["message"]
    assert len(agent.requests) == 2  # neither was retried
