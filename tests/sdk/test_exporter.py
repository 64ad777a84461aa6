"""Collector export against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import fluxloop
import pytest


class Collector:
    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], dict[str, Any]]] = []
        self.fail_next = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if outer.fail_next:
                    outer.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                outer.requests.append((self.path, dict(self.headers), body))
                self.send_response(202)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def traces(self) -> list[dict[str, Any]]:
        return [trace for _, _, body in self.requests for trace in body["traces"]]


@pytest.fixture()
def collector() -> Iterator[Collector]:
    server = Collector()
    yield server
    server.server.shutdown()


@fluxloop.agent()
def handle(text: str) -> str:
    return helper(text)


@fluxloop.tool()
def helper(text: str) -> str:
    return text.upper()


def test_traces_arrive_in_batches_with_bearer_key(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url, api_key="k-123", batch_size=2)
    for i in range(5):
        handle(f"t{i}")
    assert fluxloop.flush(10.0)
    traces = collector.traces()
    assert len(traces) == 5
    assert all(len(body["traces"]) <= 2 for _, _, body in collector.requests)
    path, headers, _ = collector.requests[0]
    assert path == "/api/traces" and headers["Authorization"] == "Bearer k-123"
    spans = traces[0]["spans"]
    assert [s["name"] for s in spans] == ["helper", "handle"]
    assert spans[0]["parent_id"] == spans[1]["span_id"]


def test_retries_after_server_error(collector: Collector) -> None:
    collector.fail_next = 2
    fluxloop.configure(collector_url=collector.url, batch_size=1)
    handle("x")
    assert fluxloop.flush(10.0)
    assert len(collector.traces()) == 1


def test_nothing_sent_when_disabled_or_sampled_out(collector: Collector) -> None:
    fluxloop.configure(collector_url=collector.url, use_collector=False)
    handle("a")
    fluxloop.configure(use_collector=True, sample_rate=0.0)
    handle("b")
    fluxloop.configure(sample_rate=1.0, enabled=False)
    handle("c")
    assert fluxloop.flush(5.0)
    assert collector.requests == []


def test_pending_traces_are_flushed_at_exit(collector: Collector, tmp_path: Any) -> None:
    import subprocess
    import sys

    script = tmp_path / "agent.py"
    script.write_text(
        "import sys, fluxloop\n"
        "fluxloop.configure(collector_url=sys.argv[1], flush_interval=60, batch_size=100)\n"
        "@fluxloop.agent()\n"
        "def run(text):\n"
        "    return text\n"
        "run('bye')\n"
    )
    subprocess.run([sys.executable, str(script), collector.url], check=True, timeout=30)
    traces = collector.traces()
    assert len(traces) == 1 and traces[0]["spans"][0]["output"] == "bye"


def test_a_full_queue_drops_the_oldest_and_counts_it(
    collector: Collector, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fluxloop import exporter

    gate = threading.Event()
    original = exporter.Exporter._send

    def slow_send(self: Any, client: Any, batch: list[dict[str, Any]]) -> None:
        gate.wait(10)  # the network is stuck: the agent must not wait for it
        original(self, client, batch)

    monkeypatch.setattr(exporter.Exporter, "_send", slow_send)
    monkeypatch.setattr(exporter, "_exporter", exporter.Exporter())
    fluxloop.configure(
        collector_url=collector.url, batch_size=1, flush_interval=0.01, max_queue_size=3
    )
    handle("first")  # taken by the sender thread, which then blocks
    deadline = 100
    while exporter._exporter._in_flight == 0 and deadline:
        threading.Event().wait(0.01)
        deadline -= 1
    for i in range(6):
        handle(f"queued {i}")  # returns at once although nothing can be sent
    assert exporter.exporter_stats()["dropped"] == 3
    gate.set()
    assert fluxloop.flush(10.0)
    sent = [t["spans"][-1]["inputs"]["args"][0] for t in collector.traces()]
    assert sent == ["first", "queued 3", "queued 4", "queued 5"]
