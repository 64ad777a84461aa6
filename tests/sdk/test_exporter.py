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
