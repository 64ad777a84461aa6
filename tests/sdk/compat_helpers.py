"""Shared by the compat tests: the agent corpus and a loopback collector."""

from __future__ import annotations

import importlib.util
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "compat"
AGENTS = FIXTURES / "agents"
CORPUS = ("decorated", "instrumented", "recording", "settings", "models", "client")


def load_agent(name: str) -> ModuleType:
    """Import ``agents/<name>.py`` afresh, under a name no other module uses."""
    spec = importlib.util.spec_from_file_location(f"compat_agent_{name}", AGENTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Collector:
    """An HTTP server on 127.0.0.1 that keeps every POST and answers JSON."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, dict[str, str], Any]] = []
        self.fail_next = 0
        self.status = 200
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if outer.fail_next:
                    outer.fail_next -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.requests.append((self.path, dict(self.headers), body))
                answer = json.dumps({"status": "ok", "path": self.path}).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def paths(self) -> list[str]:
        return [path for path, _, _ in self.requests]
