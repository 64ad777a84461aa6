"""Targets, sync/async scheduling, timeouts, retries, environment and `run single`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from fluxloop_core.errors import TargetError
from fluxloop_core.runner.experiment import (
    RunOptions,
    prepare_experiment,
    run_experiment,
    run_single,
)

Project = Any  # the `project` fixture of conftest.py


def setting(target: str, *extra: str, inputs: str = '["a", "b"]') -> str:
    lines = ["name: exec", "runner:", f'  target: "{target}"', *extra, f"base_inputs: {inputs}"]
    return "\n".join(lines) + "\n"


def run(project: Project, text: str, **options: Any) -> tuple[Any, list[dict[str, Any]]]:
    result = run_experiment(project.config(text), RunOptions(use_collector=False, **options))
    return result, project.traces(result.experiment_dir)


def test_class_method_gets_a_fresh_instance_per_run(project: Project) -> None:
    created = project.dir / "created.log"
    project.write(
        "agent.py",
        f"""
        from pathlib import Path

        class Agent:
            def __init__(self):
                with Path({str(created)!r}).open("a") as log:
                    log.write("created\\n")
                self.calls = 0

            def answer(self, text):
                self.calls += 1
                return self.calls
        """,
    )

    _, traces = run(project, setting("agent:Agent.answer", "iterations: 3"))

    assert [t["output"] for t in traces] == [1] * 6
    assert len(created.read_text().splitlines()) == 6


def test_module_level_instance_method_is_shared(project: Project) -> None:
    project.write(
        "agent.py",
        """
        class Counter:
            def __init__(self, start):
                self.value = start

            def bump(self, text):
                self.value += 1
                return self.value

        counter = Counter(10)
        """,
    )

    _, traces = run(project, setting("agent:counter.bump", "iterations: 2"))

    assert sorted(t["output"] for t in traces) == [11, 12, 13, 14]


def test_a_constructor_that_needs_arguments_is_a_target_error(project: Project) -> None:
    project.write(
        "agent.py",
        """
        class Agent:
            def __init__(self, client, retries=3):
                self.client = client

            def answer(self, text):
                return text
        """,
    )

    with pytest.raises(TargetError) as caught:
        prepare_experiment(project.config(setting("agent:Agent.answer")), RunOptions())

    assert "constructor needs arguments (client)" in caught.value.message
    assert caught.value.line == 3  # runner.target in setting.yaml


def test_an_import_error_shows_the_real_cause_and_the_seed_hint(project: Project) -> None:
    project.write("setting.yaml", setting("examples.simple_agent:run"))

    result = project.cli("run", "experiment", "--no-collector", "--quiet")

    assert result.returncode == 2
    assert "No module named 'examples'" in result.stderr
    assert "Set working_directory in your config" in result.stderr
    assert 'working_directory: "."' in result.stderr
    assert "Traceback" not in result.stderr
    assert project.experiments() == []


def test_working_directory_and_environment_apply_to_runs_and_are_restored(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    project.write(
        "src/agent.py",
        """
        import os

        def run(text):
            return {"cwd": os.getcwd(), "env": os.environ.get("AGENT_MODE")}
        """,
    )
    monkeypatch.delenv("AGENT_MODE", raising=False)
    before = (os.getcwd(), list(sys.path))

    _, traces = run(
        project,
        setting(
            "agent:run",
            '  working_directory: "src"',
            "  environment_vars: {AGENT_MODE: staging}",
        ),
    )

    assert traces[0]["output"] == {"cwd": str(project.dir / "src"), "env": "staging"}
    assert (os.getcwd(), list(sys.path)) == before
    assert "AGENT_MODE" not in os.environ


def test_generators_and_async_generators_yield_their_items(project: Project) -> None:
    project.write(
        "agent.py",
        """
        def words(text):
            yield from text.split()

        async def letters(text):
            for letter in text:
                yield letter
        """,
    )

    _, sync_traces = run(project, setting("agent:words", inputs='["x y"]'))
    _, async_traces = run(project, setting("agent:letters", inputs='["ab"]'))

    assert sync_traces[0]["output"] == ["x", "y"]
    assert async_traces[0]["output"] == ["a", "b"]


def test_outputs_are_serialized_without_losing_data(project: Project) -> None:
    project.write(
        "agent.py",
        """
        import dataclasses

        @dataclasses.dataclass
        class Reply:
            text: str
            score: float

        def run(text):
            return {"reply": Reply(text, 0.5), "nested": [[{"deep": [1, 2, {"x": None}]}]]}
        """,
    )

    _, traces = run(project, setting("agent:run", inputs='["hi"]'))

    output = traces[0]["output"]
    assert output["nested"] == [[{"deep": [1, 2, {"x": None}]}]]
    assert "hi" in json.dumps(output["reply"])


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_parallel_runs_bounds_how_many_run_at_once(project: Project, kind: str) -> None:
    if kind == "sync":
        body = """
        import threading, time
        lock = threading.Lock()
        state = {"now": 0, "peak": 0}

        def run(text):
            with lock:
                state["now"] += 1
                state["peak"] = max(state["peak"], state["now"])
            time.sleep(0.02)
            with lock:
                state["now"] -= 1
                return state["peak"]
        """
    else:
        body = """
        import asyncio
        state = {"now": 0, "peak": 0}

        async def run(text):
            state["now"] += 1
            state["peak"] = max(state["peak"], state["now"])
            await asyncio.sleep(0.02)
            state["now"] -= 1
            return state["peak"]
        """
    project.write("agent.py", body)

    result, traces = run(
        project, setting("agent:run", "iterations: 8", "parallel_runs: 4", inputs='["a", "b"]')
    )

    assert result.summary.results.successful == 16
    assert max(t["output"] for t in traces) == 4


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_run_past_its_timeout_is_recorded_and_the_experiment_goes_on(
    project: Project, kind: str
) -> None:
    sleep = "time.sleep(5)" if kind == "sync" else "await asyncio.sleep(5)"
    prefix = "" if kind == "sync" else "async "
    project.write(
        "agent.py",
        f"""
        import asyncio, time

        {prefix}def run(text):
            if text == "slow":
                {sleep}
            return text
        """,
    )

    result, traces = run(
        project,
        setting("agent:run", "  timeout_seconds: 0.2", "parallel_runs: 2", inputs='["slow", "ok"]'),
    )

    by_input = {t["input"]: t for t in traces}
    assert by_input["slow"]["status"] == "timeout"
    assert by_input["slow"]["error"]["type"] == "TimeoutError"
    assert by_input["ok"]["status"] == "success"
    assert result.summary.results.timed_out == 1
    assert result.summary.results.failed == 1
    errors = project.json(result.experiment_dir / "errors.json")
    assert [e["status"] for e in errors] == ["timeout"]


def test_a_sync_timeout_counts_from_when_the_run_starts_not_when_it_was_queued(
    project: Project,
) -> None:
    # One thread, runs queued ahead of it: each run alone is well within the timeout, but
    # the last ones wait far longer than the timeout before a thread takes them.
    project.write(
        "agent.py",
        """
        import time

        def run(text):
            time.sleep(0.05)
            return text
        """,
    )

    result, traces = run(
        project,
        setting("agent:run", "  timeout_seconds: 0.5", "iterations: 20", inputs='["a"]'),
    )

    assert result.summary.results.successful == 20
    assert all(t["status"] == "success" for t in traces)
    # Durations are the agent's own time, not time spent waiting in the queue.
    assert max(t["duration_ms"] for t in traces) < 400


def test_each_experiment_imports_the_agent_as_it_is_on_disk(project: Project) -> None:
    # One process, many experiments (the TUI): an edited agent or helper module, or another
    # project's with the same module names, must not be served from the import cache.
    def agent(folder: str, answer: str) -> None:
        project.write(
            f"{folder}/bot.py", "import helper\n\ndef run(text):\n    return helper.ANSWER\n"
        )
        project.write(f"{folder}/helper.py", f"ANSWER = {answer!r}\n")

    agent("a", "first")
    _, before = run(project, setting("bot:run", '  working_directory: "a"', inputs='["x"]'))
    agent("a", "edited helper")
    _, after = run(project, setting("bot:run", '  working_directory: "a"', inputs='["x"]'))
    agent("b", "other project")
    _, elsewhere = run(project, setting("bot:run", '  working_directory: "b"', inputs='["x"]'))

    assert [t["output"] for t in before] == ["first"]
    assert [t["output"] for t in after] == ["edited helper"]
    assert [t["output"] for t in elsewhere] == ["other project"]
    assert "helper" not in sys.modules and "bot" not in sys.modules


def test_an_agent_raising_stopiteration_is_an_error_not_a_hang(project: Project) -> None:
    # A future refuses StopIteration; the pool must still deliver it and its batch.
    project.write(
        "agent.py",
        """
        def run(text):
            if text == "b":
                return next(iter([]))
            return text
        """,
    )

    result, traces = run(project, setting("agent:run", "iterations: 3", "parallel_runs: 2"))

    assert result.summary.results.total_runs == 6
    failed = [t for t in traces if t["status"] == "error"]
    assert len(failed) == 3 and {t["error"]["type"] for t in failed} == {"StopIteration"}
    assert all(t["error"]["traceback"] for t in failed)


def test_a_queued_run_starts_when_its_thread_takes_it(project: Project) -> None:
    from datetime import datetime

    project.write(
        "agent.py",
        """
        import time

        def run(text):
            time.sleep(0.05)
            return text
        """,
    )

    _, traces = run(project, setting("agent:run", "iterations: 10", inputs='["a"]'))

    starts = sorted(datetime.fromisoformat(t["started_at"]) for t in traces)
    # One thread: each run starts after the one before it has taken its 50 ms.
    assert (starts[-1] - starts[0]).total_seconds() >= 0.4


def test_an_output_directory_that_cannot_be_created_is_a_config_error(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    project.write("results", "a file where the folder should go\n")
    project.write("setting.yaml", setting("agent:run", 'output_directory: "results"'))

    result = project.cli("run", "experiment", "--config", "setting.yaml", "--no-collector")

    assert result.returncode == 2, result.stderr
    assert "output_directory" in result.stderr and "Traceback" not in result.stderr


def test_retries_are_counted_in_attempts(project: Project) -> None:
    project.write(
        "agent.py",
        """
        tries = {}

        def run(text):
            tries[text] = tries.get(text, 0) + 1
            if text == "flaky" and tries[text] < 3:
                raise ConnectionError("try again")
            if text == "broken":
                raise RuntimeError("always")
            return tries[text]
        """,
    )

    result, traces = run(
        project,
        setting(
            "agent:run",
            "  max_retries: 2",
            "  retry_delay: 0",
            inputs='["flaky", "broken", "fine"]',
        ),
    )

    by_input = {t["input"]: t for t in traces}
    assert (by_input["flaky"]["status"], by_input["flaky"]["attempts"]) == ("success", 3)
    assert (by_input["broken"]["status"], by_input["broken"]["attempts"]) == ("error", 3)
    assert by_input["broken"]["error"]["message"] == "always"
    assert by_input["fine"]["attempts"] == 1
    assert result.summary.results.failed == 1


def test_a_crashing_agent_exits_1_with_errors_json(project: Project) -> None:
    project.write(
        "agent.py",
        """
        def run(text):
            raise KeyError(text)
        """,
    )
    project.write("setting.yaml", setting("agent:run"))

    result = project.cli("run", "experiment", "--no-collector", "--quiet")

    assert result.returncode == 1, result.stderr
    (experiment,) = project.experiments()
    errors = project.json(experiment / "errors.json")
    assert sorted(e["run_id"] for e in errors) == ["0.0", "1.0"]
    assert all(e["error"]["type"] == "KeyError" for e in errors)
    summary = project.json(experiment / "summary.json")
    assert summary["results"]["success_rate"] == 0.0
    assert summary["interrupted"] is False


def test_run_single_returns_output_and_errors(project: Project) -> None:
    project.write(
        "agent.py",
        """
        async def run(text):
            if text == "boom":
                raise ValueError("boom")
            return f"Processed: {text}"
        """,
    )

    ok = run_single("agent:run", "hi", working_directory=project.dir)
    failed = run_single("agent:run", "boom", working_directory=project.dir)

    assert (ok.output, ok.error) == ("Processed: hi", None)
    assert ok.duration_ms >= 0
    assert failed.error is not None
    assert failed.error.type == "ValueError"
    with pytest.raises(TargetError):
        run_single("agent:missing", "x", working_directory=project.dir)


def test_run_single_cli(project: Project) -> None:
    project.write(
        "examples/simple_agent.py",
        """
        def run(input_text: str) -> str:
            if input_text == "fail":
                raise RuntimeError("agent failed")
            return f"Processed: {input_text}"
        """,
    )

    ok = project.cli("run", "single", "examples.simple_agent:run", "Test input")
    as_json = project.cli("run", "single", "examples.simple_agent:run", "x", "--json")
    failed = project.cli("run", "single", "examples.simple_agent:run", "fail")
    bad = project.cli("run", "single", "examples.nope:run", "x")
    not_here = project.cli("run", "single", "simple_agent:run", "x")
    elsewhere = project.cli(
        "run", "single", "simple_agent:run", "y", "--working-directory", "examples"
    )

    assert ok.returncode == 0
    assert ok.stdout.splitlines()[0] == "Processed: Test input"
    assert "ms" in ok.stdout
    assert json.loads(as_json.stdout)["output"] == "Processed: x"
    assert failed.returncode == 1
    assert "RuntimeError: agent failed" in failed.stderr
    assert "Traceback" in failed.stderr
    for missing in (bad, not_here):
        # run single has no config: the hint names its own flag, not a config key.
        assert missing.returncode == 2
        assert "--working-directory DIR" in missing.stderr
        assert "in your config" not in missing.stderr
    assert elsewhere.stdout.startswith("Processed: y")


def test_no_inputs_is_an_error_before_anything_is_written(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config(setting("agent:run", inputs="[]"))

    with pytest.raises(Exception, match="no inputs to run"):
        run_experiment(loaded, RunOptions(use_collector=False))

    assert not (project.dir / "experiments").exists()


def test_iterations_option_overrides_the_config(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")

    result, traces = run(project, setting("agent:run", "iterations: 5"), iterations=2)

    assert len(traces) == 4
    assert (result.summary.iterations, result.summary.planned_runs) == (2, 4)
    assert result.summary.config["iterations"] == 5


def test_unreachable_collector_is_a_warning(project: Project, tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again: nothing listens there
    project.write("agent.py", "def run(text):\n    return text\n")
    loaded = project.config(
        setting("agent:run")
        + f"collector:\n  url: http://127.0.0.1:{port}\n  timeout_seconds: 0.5\n"
    )

    result = run_experiment(loaded, RunOptions())
    offline = run_experiment(loaded, RunOptions(use_collector=False))

    assert result.summary.results.successful == 2
    assert len(result.warnings) == 1
    assert f"127.0.0.1:{port}" in result.warnings[0]
    assert offline.warnings == []


@pytest.mark.parametrize("wire", ["fluxloop", "legacy"])
def test_spans_reach_a_configured_collector(project: Project, wire: str) -> None:
    import json as jsonlib
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    import fluxloop

    received: list[dict[str, Any]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()

        def do_POST(self) -> None:
            body = jsonlib.loads(self.rfile.read(int(self.headers["Content-Length"])))
            received.append({"path": self.path, "body": body})
            self.send_response(202)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        project.write(
            "agent.py",
            "import fluxloop\n\n@fluxloop.agent()\ndef run(text):\n    return text\n",
        )
        url = f"http://127.0.0.1:{server.server_address[1]}"
        loaded = project.config(
            setting("agent:run") + f"collector:\n  url: {url}\n  format: {wire}\n"
        )
        result = run_experiment(loaded, RunOptions())
    finally:
        server.shutdown()
        fluxloop.reset_config()  # the SDK's settings are process-wide
    assert result.warnings == []
    if wire == "fluxloop":  # whole traces, batched
        traces = [trace for got in received for trace in got["body"]["traces"]]
        assert len(traces) == result.summary.results.total_runs == 2
        assert {span["name"] for trace in traces for span in trace["spans"]} == {"run"}
    else:  # as fluxloop 0.1.x: one POST per trace, then one per observation
        traces = [got["body"] for got in received if got["path"] == "/api/traces"]
        observations = [got["body"] for got in received if got["path"].endswith("/observations")]
        assert len(traces) == result.summary.results.total_runs == 2
        assert {o["name"] for o in observations} == {"run"} and len(observations) == 2


def test_parallel_runs_has_a_ceiling(project: Project) -> None:
    project.write("agent.py", "def run(text):\n    return text\n")
    project.write("setting.yaml", setting("agent:run", "parallel_runs: 100000"))

    in_config = project.cli("run", "experiment", "--no-collector")
    project.write("setting.yaml", setting("agent:run"))
    flag = project.cli("run", "experiment", "--no-collector", "--parallel-runs", "5000")

    assert in_config.returncode == 2 and "parallel_runs" in in_config.stderr
    assert flag.returncode == 2 and "at most 1024" in flag.stderr


def test_counts_agree_with_their_nouns(project: Project) -> None:
    from fluxloop_core.counts import counted

    assert [counted(n, "run") for n in (0, 1, 2)] == ["0 runs", "1 run", "2 runs"]
    assert counted(12345, "line", grouped=True) == "12,345 lines"
    assert counted(1, "cache hit") == "1 cache hit"
    project.write("agent.py", "def run(text):\n    return text\n")
    project.write("setting.yaml", setting("agent:run", inputs='["only"]'))
    one = project.cli("run", "experiment", "--no-collector")
    assert one.returncode == 0, one.stderr
    assert "1 run (1 input × 1 iteration, " in one.stderr
    assert "1 of 1 run: 1 ok" in one.stdout
    status = project.cli("status", "check")
    assert "100% success (1/1 run)" in status.stdout
