"""A real HTTP agent on 127.0.0.1, for tests of ``runner.http`` targets.

Each request is answered by the next action of ``script``, then by ``fallback`` (by default
an echo: ``{"reply": {"text": "echo: <message>"}}``). Actions write the response
themselves, so an agent can misbehave as a real one does: answer slowly, ask to be called
later, fail, drop the connection, or never finish its answer.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Action = Callable[[BaseHTTPRequestHandler, dict[str, Any]], None]


def http_setting(
    url: str, *http: str, extra: tuple[str, ...] = (), inputs: str = '["a", "b"]'
) -> str:
    """A setting.yaml whose runner.http points at ``url`` with the ``http`` lines (YAML of
    runner.http's keys), the ``extra`` lines of runner, and ``inputs``."""
    lines = [
        "name: web",
        "runner:",
        "  http:",
        f'    url: "{url}"',
        *(f"    {line}" for line in http),
        *extra,
        f"base_inputs: {inputs}",
    ]
    return "\n".join(lines) + "\n"


def send_json(
    handler: BaseHTTPRequestHandler,
    payload: Any,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
        handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)


def echo(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
    """A well-behaved agent: echoes the request's ``message``."""
    send_json(handler, {"reply": {"text": f"echo: {body.get('message')}"}})


def answer(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Action:
    """Always this JSON answer."""
    return lambda handler, body: send_json(handler, payload, status, headers)


def sse(events: list[str]) -> Action:
    """Server-sent events, one ``data:`` line each, sent as they come (no length)."""

    def act(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/event-stream")
        handler.send_header("Connection", "close")
        handler.end_headers()
        for event in events:
            handler.wfile.write(f"data: {event}\n\n".encode())
            handler.wfile.flush()
        handler.close_connection = True

    return act


def jsonl(lines: list[str]) -> Action:
    """Chunked JSON lines (``Transfer-Encoding: chunked``), one chunk a line, each flushed."""

    def act(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/x-ndjson")
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        for line in lines:
            data = (line + "\n").encode()
            handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            handler.wfile.flush()
        handler.wfile.write(b"0\r\n\r\n")

    return act


def slow(seconds: float, then: Action = echo) -> Action:
    """Waits ``seconds`` before answering."""

    def act(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
        time.sleep(seconds)
        with contextlib.suppress(OSError):  # the client may have given up
            then(handler, body)

    return act


def drop(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
    """Closes the connection without a word."""
    handler.close_connection = True
    handler.connection.close()


def endless(handler: BaseHTTPRequestHandler, body: dict[str, Any]) -> None:
    """Promises a long answer and trickles it, a byte at a time, for ever."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000000")
    handler.end_headers()
    try:
        while True:
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(0.05)
    except OSError:
        pass  # the client gave up: what a deadline is for


class _Server(ThreadingHTTPServer):
    # A burst of connections (a pool opening all of its at once) must not overflow the
    # listen queue: a dropped SYN is retried a second later and the burst is lost.
    request_queue_size = 256


class AgentServer:
    """The server, what it received, and how many requests it held at once."""

    def __init__(self, fallback: Action = echo) -> None:
        self.script: list[Action] = []
        self.fallback = fallback
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.arrivals: list[float] = []
        """time.monotonic() as each request arrived."""
        self.in_flight = 0
        self.most_in_flight = 0
        lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as real agents do

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with lock:
                    outer.arrivals.append(time.monotonic())
                    outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                    action = outer.script.pop(0) if outer.script else outer.fallback
                    outer.in_flight += 1
                    outer.most_in_flight = max(outer.most_in_flight, outer.in_flight)
                try:
                    action(self, body)
                finally:
                    with lock:
                        outer.in_flight -= 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/chat"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@contextmanager
def agent_serving(fallback: Action = echo) -> Iterator[AgentServer]:
    """An AgentServer answering with ``fallback`` after its script, shut down afterwards."""
    agent = AgentServer(fallback)
    try:
        yield agent
    finally:
        agent.server.shutdown()
        agent.server.server_close()
