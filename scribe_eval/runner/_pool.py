"""Small connection pools instead of one large one, for a run's many concurrent calls.

httpcore looks at every connection of its pool each time a request starts or a response closes,
and for each idle connection counts the idle ones again (``AsyncConnectionPool.
_assign_requests_to_connections`` in httpcore 1.0): quadratic in the pool's size, plus a socket
check per connection. With 16 connections that was ~1.5 s of the runner's CPU over 800 calls, CPU
taken from the event loop that answers them. `PoolShards` spreads the requests over a few pools of
a few connections each; every pool keeps its connections alive as before.
"""

from __future__ import annotations

import functools
from collections.abc import AsyncIterator, Callable

import httpx

#: Connections a shard holds at most when the run uses all its concurrency: scans stay this short.
SHARD_SIZE = 4


class PoolShards(httpx.AsyncBaseTransport):
    """An httpx transport over ``ceil(concurrency / SHARD_SIZE)`` connection pools.

    Each request goes to the pool with the fewest requests in flight (until its response is
    closed), so with at most ``concurrency`` requests in flight no pool needs more than
    ``SHARD_SIZE`` connections. Errors are the wrapped transports' own (httpx exceptions).
    """

    def __init__(
        self, concurrency: int, pool: Callable[[], httpx.AsyncBaseTransport] | None = None
    ) -> None:
        count = max(1, -(-concurrency // SHARD_SIZE))
        if pool is None:
            # Imported here: it imports httpcore (~50 ms), which a process that only reads
            # runs (or a worker before its warm-up) does not need.
            from scribe_eval.client import asyncio_transport

            # One TLS context for all: each loads the CA bundle (~40 ms of CPU). Sockets on
            # asyncio's streams: a quarter less of the event loop's CPU per call than AnyIO's.
            context = httpx.create_ssl_context()
            pool = functools.partial(asyncio_transport, verify=context)
        self._pools = [pool() for _ in range(count)]
        self._in_flight = [0] * count

    @property
    def in_flight(self) -> list[int]:
        """Requests in flight per pool (sent, response not yet closed)."""
        return list(self._in_flight)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request`` through the least busy pool."""
        index = min(range(len(self._pools)), key=self._in_flight.__getitem__)
        self._in_flight[index] += 1
        try:
            response = await self._pools[index].handle_async_request(request)
        except BaseException:
            self._in_flight[index] -= 1
            raise
        assert isinstance(response.stream, httpx.AsyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_Released(response.stream, lambda: self._release(index)),
            extensions=response.extensions,
        )

    def _release(self, index: int) -> None:
        self._in_flight[index] -= 1

    async def aclose(self) -> None:
        """Close every pool's connections."""
        for pool in self._pools:
            await pool.aclose()


class _Released(httpx.AsyncByteStream):
    """A response body that tells its pool, once, when it is closed."""

    def __init__(self, stream: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._stream:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._stream.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()
