"""The connection pool of HTTP targets: several small httpx clients instead of one big one.

Measured (``benchmarks/http_targets.py``, 2,000 requests at concurrency 64 to a Node echo
agent): one ``httpx.AsyncClient`` holding 64 connections is about twice as slow as eight
clients of 8 connections each, and slower even than one client of 8 — httpcore's pool
walks its every connection and waiting request on each request, so its cost grows with
the pool. Small shards keep each walk short while the total stays ``parallel_runs``
connections. A request goes to the shard with the fewest requests in flight, so no shard
queues while another has an idle connection.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

import httpx

from fluxloop_core.generation.client import MAX_REDIRECTS

SHARD_CONNECTIONS = 8
"""Connections per client: the size at which httpx's pool stayed fast when measured."""


class ShardedClient:
    """``connections`` kept-alive connections spread over clients of ``shard_size``."""

    def __init__(
        self,
        connections: int,
        *,
        shard_size: int = SHARD_CONNECTIONS,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
    ) -> None:
        count = max(1, math.ceil(connections / shard_size))
        sizes = [connections // count + (1 if i < connections % count else 0) for i in range(count)]
        self._clients = [
            httpx.AsyncClient(
                headers=dict(headers or {}),
                limits=httpx.Limits(
                    max_connections=max(size, 1), max_keepalive_connections=max(size, 1)
                ),
                timeout=timeout,
                follow_redirects=True,
                max_redirects=MAX_REDIRECTS,
            )
            for size in sizes
        ]
        self._in_flight = [0] * count

    def _pick(self) -> int:
        return min(range(len(self._clients)), key=self._in_flight.__getitem__)

    @asynccontextmanager
    async def stream(self, method: str, url: str, **kwargs: Any) -> AsyncIterator[httpx.Response]:
        """``httpx.AsyncClient.stream`` on the least busy shard."""
        index = self._pick()
        self._in_flight[index] += 1
        try:
            async with self._clients[index].stream(method, url, **kwargs) as response:
                yield response
        finally:
            self._in_flight[index] -= 1

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """``httpx.AsyncClient.request`` on the least busy shard (the answer read whole)."""
        index = self._pick()
        self._in_flight[index] += 1
        try:
            return await self._clients[index].request(method, url, **kwargs)
        finally:
            self._in_flight[index] -= 1

    @property
    def shards(self) -> int:
        """How many clients share the connections."""
        return len(self._clients)

    async def aclose(self) -> None:
        """Close every shard's connections."""
        for client in self._clients:
            await client.aclose()
