"""The sharded connection pool of HTTP targets, against a real server on 127.0.0.1."""

from __future__ import annotations

import asyncio

from agent_server import agent_serving, slow

from fluxloop_core.runner.http_pool import ShardedClient


def test_connections_are_split_over_shards_of_at_most_eight() -> None:
    async def shards(connections: int) -> int:
        pool = ShardedClient(connections)
        try:
            return pool.shards
        finally:
            await pool.aclose()

    assert [asyncio.run(shards(n)) for n in (1, 8, 9, 64)] == [1, 1, 2, 8]


def test_every_connection_is_used_and_none_more() -> None:
    # 12 connections over 2 shards of 6: 30 slow requests at once keep all 12 busy (the
    # least busy shard takes each request), never 13.
    with agent_serving(slow(0.2)) as agent:

        async def burst() -> list[int]:
            pool = ShardedClient(12)
            try:
                answers = await asyncio.gather(
                    *(pool.request("POST", agent.url, json={"message": i}) for i in range(30))
                )
            finally:
                await pool.aclose()
            return [a.status_code for a in answers]

        codes = asyncio.run(burst())

    assert codes == [200] * 30
    assert agent.most_in_flight == 12
