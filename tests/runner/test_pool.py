"""PoolShards: requests spread over small pools, each released when its response closes."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from scribe_eval.runner._pool import PoolShards


def test_requests_go_to_the_least_busy_pool_and_are_released_when_read() -> None:
    release = asyncio.Event()
    served: list[str] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        served.append(request.url.path)
        await release.wait()
        return httpx.Response(200, json={"path": request.url.path})

    async def scenario() -> tuple[list[int], list[int], list[object]]:
        shards = PoolShards(8, pool=lambda: httpx.MockTransport(answer))
        async with httpx.AsyncClient(transport=shards, base_url="http://test") as client:
            calls = [asyncio.create_task(client.get(f"/{i}")) for i in range(8)]
            while len(served) < 8:
                await asyncio.sleep(0)
            busy = shards.in_flight
            release.set()
            bodies = [(await call).json() for call in calls]
            return busy, shards.in_flight, bodies

    busy, after, bodies = asyncio.run(scenario())
    assert busy == [4, 4]  # 8 requests, 2 pools of SHARD_SIZE: none holds more than 4
    assert after == [0, 0]
    assert bodies == [{"path": f"/{i}"} for i in range(8)]


def test_a_failed_request_is_released_too() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    async def scenario() -> list[int]:
        shards = PoolShards(4, pool=lambda: httpx.MockTransport(refuse))
        async with httpx.AsyncClient(transport=shards, base_url="http://test") as client:
            with pytest.raises(httpx.ConnectError):
                await client.get("/")
            return shards.in_flight

    assert asyncio.run(scenario()) == [0]
