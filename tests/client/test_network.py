"""asyncio_transport: httpx over asyncio's streams, with httpx's answers and errors."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import httpx
import pytest

from scribe_eval.client import AsyncioBackend, asyncio_transport
from scribe_eval.client._network import uses_asyncio_backend

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
_OK = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 11\r\n\r\n"


async def _serve(handler: Handler) -> tuple[asyncio.Server, str]:
    async def closing(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await handler(reader, writer)
        finally:
            writer.close()  # also when cancelled at the end of the test's loop

    server = await asyncio.start_server(closing, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _request_head(reader: asyncio.StreamReader) -> bytes:
    return await reader.readuntil(b"\r\n\r\n")


def test_the_transport_uses_the_asyncio_backend() -> None:
    transport = asyncio_transport()
    assert uses_asyncio_backend(transport)
    assert not uses_asyncio_backend(httpx.AsyncHTTPTransport())
    assert isinstance(AsyncioBackend(), AsyncioBackend)


def test_answers_come_back_and_the_connection_is_kept_alive() -> None:
    connections: list[int] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        while True:
            try:
                head = await _request_head(reader)
            except asyncio.IncompleteReadError:
                break
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            body = await reader.readexactly(length)
            writer.write(_OK + b'{"n": "%s"}' % body[:2])
            await writer.drain()
        writer.close()

    async def scenario() -> list[object]:
        server, url = await _serve(handler)
        async with server, httpx.AsyncClient(transport=asyncio_transport()) as client:
            return [(await client.post(url, content=f"{i}!".encode())).json() for i in range(3)]

    assert asyncio.run(scenario()) == [{"n": "0!"}, {"n": "1!"}, {"n": "2!"}]
    assert len(connections) == 1


def test_a_connection_the_server_closed_is_not_reused() -> None:
    connections: list[int] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await _request_head(reader)
        writer.write(_OK + b'{"n": "ok"}')
        await writer.drain()
        writer.close()  # keep-alive was not refused, yet the server hangs up

    async def scenario() -> list[int]:
        server, url = await _serve(handler)
        async with server, httpx.AsyncClient(transport=asyncio_transport()) as client:
            statuses = []
            for _ in range(3):
                statuses.append((await client.get(url)).status_code)
                await asyncio.sleep(0.01)  # the hang-up reaches the client's idle connection
        return statuses

    assert asyncio.run(scenario()) == [200, 200, 200]
    assert len(connections) == 3


@pytest.mark.parametrize(
    ("behaviour", "error"),
    [
        pytest.param("drop", httpx.RemoteProtocolError, id="dropped-mid-answer"),
        pytest.param("silent", httpx.ReadTimeout, id="read-time-out"),
    ],
)
def test_failures_are_httpx_errors(behaviour: str, error: type[Exception]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _request_head(reader)
        if behaviour == "drop":
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{")
            await writer.drain()
            writer.close()
        else:
            await asyncio.sleep(5)

    async def scenario() -> None:
        server, url = await _serve(handler)
        async with server, httpx.AsyncClient(transport=asyncio_transport()) as client:
            await client.get(url, timeout=0.2)

    with pytest.raises(error):
        asyncio.run(scenario())


def test_a_refused_connection_is_a_connect_error() -> None:
    async def scenario() -> None:
        server, url = await _serve(lambda _r, w: asyncio.sleep(0))
        server.close()
        await server.wait_closed()
        async with httpx.AsyncClient(transport=asyncio_transport()) as client:
            await client.get(url)

    with pytest.raises(httpx.ConnectError):
        asyncio.run(scenario())


_FIRST_CALL = """
import asyncio, sys
from scribe_eval.client import asyncio_transport
import httpx

async def main() -> None:
    async def answer(reader, writer):
        await reader.readuntil(b"\\r\\n\\r\\n")
        writer.write(b"HTTP/1.1 200 OK\\r\\ncontent-length: 2\\r\\n\\r\\nok")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    transport = asyncio_transport()
    before = set(sys.modules)
    async with httpx.AsyncClient(transport=transport) as client:
        assert (await client.get(f"http://127.0.0.1:{port}/")).text == "ok"
    print(" ".join(sorted(set(sys.modules) - before)))
    server.close()

asyncio.run(main())
"""


def test_a_transports_first_call_imports_nothing() -> None:
    # In a fresh interpreter (this one has AnyIO loaded by pytest's plugin): what the first
    # call would import (AnyIO's asyncio backend, under httpcore's locks) is loaded when the
    # transport is built, on a thread while the emulator starts, not in front of the first call.
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _FIRST_CALL], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    imported = done.stdout.split()
    assert not [name for name in imported if name.split(".")[0] in ("anyio", "sniffio")]
