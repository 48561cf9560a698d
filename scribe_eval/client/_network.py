"""httpcore's sockets on asyncio's own streams, instead of through AnyIO.

httpcore reaches asyncio through AnyIO: every read and write opens a cancel scope
(``anyio.fail_after``), and an idle connection's "did the server hang up?" check, made for every
pooled connection each time a request starts, builds AnyIO's whole attribute table of the socket,
``getpeername()`` included. That was ~0.7 ms of the event loop's CPU per call, a quarter of the
HTTP stack's (`asyncio_transport`); the loop also reads every answer. ``AsyncioBackend``
implements httpcore's network backend on ``asyncio.open_connection`` and raises the same
httpcore errors for the same failures, which httpx maps to its own as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Coroutine, Iterable
from typing import Any

import httpcore
import httpx

SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)
"""A socket option as httpcore passes them: ``setsockopt``'s arguments."""


class AsyncioStream(httpcore.AsyncNetworkStream):
    """One connection: an asyncio stream pair, with httpcore's time-outs and errors."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Up to ``max_bytes`` bytes; ``b""`` once the server has closed the connection."""
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError as exc:
            raise httpcore.ReadTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send ``buffer`` whole (waits while the socket's buffer is full)."""
        if not buffer:
            return
        try:
            self._writer.write(buffer)
            async with asyncio.timeout(timeout):
                await self._writer.drain()
        except TimeoutError as exc:
            raise httpcore.WriteTimeout(str(exc)) from exc
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        """Close the connection now, as AnyIO does: end of stream, close, then abort."""
        transport = self._writer.transport
        if transport.is_closing():
            return
        try:
            if transport.can_write_eof():
                transport.write_eof()
        except OSError:
            pass
        transport.close()
        await asyncio.sleep(0)
        transport.abort()

    async def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Upgrade this connection to TLS (``https``)."""
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError as exc:
            await self.aclose()
            raise httpcore.ConnectTimeout(str(exc)) from exc
        except (OSError, ssl.SSLError) as exc:
            await self.aclose()
            raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        """What httpcore asks of a connection: ``is_readable`` (for an idle one: the server
        hung up, so it cannot be reused), ``ssl_object``, ``client_addr``, ``server_addr``,
        ``socket``."""
        if info == "is_readable":
            # asyncio reads the socket as data comes: a hang-up is an end of stream already seen.
            return self._reader.at_eof() or self._writer.is_closing()
        names = {"client_addr": "sockname", "server_addr": "peername"}
        if info in ("ssl_object", "socket", *names):
            return self._writer.get_extra_info(names.get(info, info))
        return None


class AsyncioBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network backend on asyncio's streams (see the module docstring)."""

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A TCP connection to ``host:port`` (``TCP_NODELAY`` set, as asyncio does for TCP)."""
        local = (local_address, 0) if local_address else None
        opening = asyncio.open_connection(host, port, local_addr=local)
        return await _connected(opening, timeout, socket_options)

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """A connection to the Unix socket at ``path``."""
        return await _connected(asyncio.open_unix_connection(path), timeout, socket_options)

    async def sleep(self, seconds: float) -> None:
        """Wait (httpcore's retries of a failed connect)."""
        await asyncio.sleep(seconds)


def _apply(writer: asyncio.StreamWriter, options: Iterable[SocketOption] | None) -> None:
    sock = writer.get_extra_info("socket")
    for option in options or ():
        sock.setsockopt(*option)


def asyncio_transport(**options: Any) -> httpx.AsyncHTTPTransport:
    """``httpx.AsyncHTTPTransport(**options)`` whose connections use `AsyncioBackend`.

    Answers, errors, time-outs and keep-alive are httpx's and httpcore's as before; only the
    socket layer under them changes. httpx takes no network backend as an option, so it is set
    on the transport's pool; should a future httpx build its pool differently, the transport is
    returned as httpx made it (correct, only slower).
    """
    transport = httpx.AsyncHTTPTransport(**options)
    pool = getattr(transport, "_pool", None)
    if isinstance(pool, httpcore.AsyncConnectionPool) and hasattr(pool, "_network_backend"):
        pool._network_backend = AsyncioBackend()
    load_first_call_modules()
    return transport


def load_first_call_modules() -> None:
    """Import now what a pool's first request would import: httpcore's locks and events run on
    AnyIO, which loads its asyncio backend on first use (32 modules, 25-75 ms of CPU).

    A transport is built before its first call (the runner builds its pools on a thread while its
    emulator starts), so the first call no longer imports them on the event loop, in front of
    every call of the run's first wave. Names AnyIO's backend module: a later AnyIO without it
    only loses the head start.
    """
    import importlib

    for name in ("sniffio", "anyio", "anyio._backends._asyncio"):
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def uses_asyncio_backend(transport: httpx.AsyncHTTPTransport) -> bool:
    """Whether ``transport``'s connections are made by `AsyncioBackend`."""
    pool = getattr(transport, "_pool", None)
    return isinstance(getattr(pool, "_network_backend", None), AsyncioBackend)


async def _connected(
    opening: Coroutine[Any, Any, tuple[asyncio.StreamReader, asyncio.StreamWriter]],
    timeout: float | None,
    socket_options: Iterable[SocketOption] | None,
) -> httpcore.AsyncNetworkStream:
    """The stream of a connection being opened, its failures as httpcore's connect errors."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await opening
    except TimeoutError as exc:
        raise httpcore.ConnectTimeout(str(exc)) from exc
    except OSError as exc:
        raise httpcore.ConnectError(str(exc) or type(exc).__name__) from exc
    _apply(writer, socket_options)
    return AsyncioStream(reader, writer)
