"""A real OpenAI-compatible chat-completions server on 127.0.0.1, for tests of LLM mode.

Replies follow ``script`` (one reply function per request) and then ``fallback``: by
default a well-behaved model that returns as many numbered variations as the prompt asks
for (``judging`` is a well-behaved judge). A reply's payload is sent
as JSON, or as it is when it is ``bytes``, or trickled when it is a ``Drip`` (a hostile
server that keeps a connection alive without ever finishing in time).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], tuple[int, dict[str, str], Any]]


def completion(content: str) -> tuple[int, dict[str, str], Any]:
    body = {
        "id": "chatcmpl-1",
        "object": "chat.completion",
        "created": 0,
        "model": "test-model",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": content},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 11, "completion_tokens": 5, "total_tokens": 16},
    }
    return 200, {}, body


def variations(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """A well-behaved model: as many numbered variations as the prompt asks for."""
    prompt = request["messages"][1]["content"]
    count = int(prompt.split("exactly ")[1].split()[0])
    base = json.loads(prompt.split("\n")[2])
    strategy = prompt.split(".")[0].removeprefix("Strategy: ")
    return completion(json.dumps([f"{base} ({strategy} #{i})" for i in range(count)]))


@dataclass(frozen=True)
class Drip:
    """A body sent in ``pieces`` parts, ``interval`` seconds apart."""

    body: bytes
    pieces: int
    interval: float


def dripping(pieces: int, interval: float) -> Reply:
    """A reply that sends a good answer, slowly: each part well within a read timeout."""

    def reply(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        status, headers, payload = variations(request)
        return status, headers, Drip(json.dumps(payload).encode(), pieces, interval)

    return reply


def judging(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """A judge model: an answer naming an amount in USD passes, anything else fails."""
    user = request["messages"][-1]["content"]
    if "USD" in user:
        return completion(json.dumps({"passed": True, "score": 1, "reason": "names the amount"}))
    return completion(json.dumps({"passed": False, "score": 0.2, "reason": "no amount given"}))


def redirect_to_self(request: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    """A 307 back to the same path: a redirect loop."""
    return 307, {"Location": "/v1/chat/completions"}, {}


class ChatServer:
    def __init__(self) -> None:
        self.script: list[Reply] = []
        self.fallback: Reply = variations
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        self.arrivals: list[float] = []
        """time.monotonic() as each request arrived."""
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.arrivals.append(time.monotonic())
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                reply = outer.script.pop(0) if outer.script else outer.fallback
                status, headers, payload = reply(body)
                if isinstance(payload, Drip):
                    data = payload.body
                elif isinstance(payload, bytes):
                    data = payload
                else:
                    data = json.dumps(payload).encode()
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if not isinstance(payload, Drip):
                    self.wfile.write(data)
                    return
                size = -(-len(data) // payload.pieces)
                try:
                    for start in range(0, len(data), size):
                        self.wfile.write(data[start : start + size])
                        self.wfile.flush()
                        time.sleep(payload.interval)
                except OSError:
                    pass  # the client gave up: what a deadline is for

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@contextmanager
def serving(fallback: Reply = variations) -> Iterator[ChatServer]:
    """A ChatServer answering with ``fallback`` after its script, shut down afterwards."""
    chat = ChatServer()
    chat.fallback = fallback
    try:
        yield chat
    finally:
        chat.server.shutdown()
