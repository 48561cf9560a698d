"""Fault injection and request counting (contract section 8), as one pure ASGI middleware.

One ``random.Random(seed)`` decides every fault, drawing the same number of values for each call,
so the same sequence of calls meets the same faults on every run. ``/v2/health``,
``/v2/_emulator/*``, the docs, the OpenAPI document and the token endpoint are never faulted, and
only API calls are counted.
A dropped connection sends the status line and then aborts the response, so the client sees the
connection close without a complete answer (uvicorn closes the socket; in-process, the
``ConnectionDropped`` exception, an ``httpx.RemoteProtocolError``, reaches the caller).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import threading
import time
import uuid
from collections import Counter
from typing import Any, Final, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from scribe_eval.emulator._problems import problem_body
from scribe_eval.emulator._settings import FaultSettings

FaultKind = Literal["drop", "429", "500", "503", "slow"]
"""The faults a request can meet (a failed transcript is decided by the transcript route)."""

_EXEMPT: Final = ("/v2/health", "/v2/_emulator", "/v2/docs", "/v2/openapi.json")
_ID: Final = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)


def is_faulted(path: str) -> bool:
    """Whether calls to ``path`` are counted and can meet injected faults."""
    return path.startswith("/v2") and not path.startswith(_EXEMPT)


def fault_problems(settings: FaultSettings) -> dict[int, str]:
    """The error answers the fault plan can send under ``settings`` (a dropped call has none)."""
    chances = {429: settings.p429, 500: settings.p500, 503: settings.p503}
    return {
        status: f"injected fault (probability {chance:g}; the emulator's --fault-{status})"
        for status, chance in chances.items()
        if chance > 0
    }


def connection_dropped() -> type[Exception]:
    """``ConnectionDropped``: raised to abort a response half-way, the injected "dropped
    connection" fault.

    Over a socket uvicorn closes the connection. In-process, ``httpx.ASGITransport`` passes the
    exception to the caller, so it is the error httpx raises for a dropped connection (an
    ``httpx.RemoteProtocolError``). Defined on first use: importing httpx was ~60 ms of the
    served emulator's start-up, which needs the class only when a call meets the fault.
    """
    global _dropped
    if _dropped is None:
        import httpx

        class ConnectionDropped(httpx.RemoteProtocolError):
            """The injected "dropped connection" fault (see `connection_dropped`)."""

        ConnectionDropped.__qualname__ = "ConnectionDropped"
        _dropped = ConnectionDropped
    return _dropped


_dropped: type[Exception] | None = None


def __getattr__(name: str) -> Any:
    # ``ConnectionDropped`` as a module attribute (``scribe_eval.emulator`` exports it).
    if name == "ConnectionDropped":
        return connection_dropped()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class FaultPlan:
    """The seeded decisions of which call meets which fault, and the counts of what happened."""

    def __init__(self, settings: FaultSettings) -> None:
        self.settings = settings
        self._rng = random.Random(settings.seed)
        self._lock = threading.Lock()
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()

    def count(self, method: str, path: str) -> None:
        """Count one API call (ids in the path are folded into ``{id}``)."""
        with self._lock:
            self.requests += 1
            self.by_endpoint[f"{method} {_ID.sub('{id}', path.rstrip('/'))}"] += 1

    def request_fault(self) -> FaultKind | None:
        """The fault this call meets, if any (five draws per call, always)."""
        s = self.settings
        with self._lock:
            draws = [self._rng.random() for _ in range(5)]
        chances: list[tuple[FaultKind, float]] = [
            ("drop", s.p_drop), ("429", s.p429), ("500", s.p500), ("503", s.p503),
            ("slow", s.p_slow),
        ]  # fmt: skip
        for (kind, chance), draw in zip(chances, draws, strict=True):
            if draw < chance:
                self._record(kind)
                return kind
        return None

    def transcript_fails(self) -> bool:
        """Whether a new transcript is to finish ``failed`` (one draw per transcript)."""
        with self._lock:
            fails = self._rng.random() < self.settings.p_transcript_failed
        if fails:
            self._record("transcript_failed")
        return fails

    def _record(self, kind: str) -> None:
        with self._lock:
            self.faults[kind] += 1

    def snapshot(self) -> dict[str, Any]:
        """Counts so far: ``requests``, ``byEndpoint`` and ``faults``."""
        with self._lock:
            return {
                "requests": self.requests,
                "byEndpoint": dict(sorted(self.by_endpoint.items())),
                "faults": dict(sorted(self.faults.items())),
            }


class FaultMiddleware:
    """Counts API calls, holds each answer for the fixed latency, and injects the planned faults."""

    def __init__(self, app: ASGIApp, plan: FaultPlan) -> None:
        self.app = app
        self.plan = plan

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not is_faulted(path):
            await self.app(scope, receive, send)
            return
        self.plan.count(str(scope.get("method", "GET")), path)
        settings = self.plan.settings
        arrived = _now()
        latency = settings.latency_ms / 1000
        fault = self.plan.request_fault()
        if fault is None or fault == "slow":
            # The call is served at once and its answer held until the latency has passed since
            # it arrived: the fixed latency is the time a call takes (a vendor's latency includes
            # its own work), not the emulator's work plus that time. A slow answer's extra delay
            # comes first and adds to it.
            slow = settings.slow_ms / 1000 if fault == "slow" else 0.0
            if slow:
                await asyncio.sleep(slow)
            deadline = arrived + slow + latency
            try:
                await self.app(scope, receive, _not_before(send, deadline) if latency else send)
            except Exception:
                # A route that crashed is answered (500) by the server's outer error handler,
                # with a send that is not held: the crash waits out the latency here.
                await _sleep_until(deadline)
                raise
            return
        if latency:
            await asyncio.sleep(latency)
        if fault == "drop":
            await send({"type": "http.response.start", "status": 200, "headers": [
                (b"content-type", b"application/json"), (b"content-length", b"1024")]})  # fmt: skip
            raise connection_dropped()("injected fault: connection dropped")
        await _send_fault(send, int(fault), settings.retry_after_s)


def _now() -> float:
    """The clock a call's latency is measured on (the event loop's: monotonic)."""
    return time.monotonic()


def _not_before(send: Send, deadline: float) -> Send:
    """``send`` that starts the answer no sooner than ``deadline`` (on `_now`'s clock)."""

    async def answer(message: Message) -> None:
        if message["type"] == "http.response.start":
            await _sleep_until(deadline)
        await send(message)

    return answer


async def _sleep_until(deadline: float) -> None:
    """Wait until ``deadline`` on `_now`'s clock (not at all once it has passed)."""
    remaining = deadline - _now()
    if remaining > 0:
        await asyncio.sleep(remaining)


async def _send_fault(send: Send, status: int, retry_after_s: int) -> None:
    detail = {
        429: "injected fault: too many requests, retry later",
        500: "injected fault: internal server error",
        503: "injected fault: service unavailable",
    }[status]
    body = json.dumps(problem_body(status, detail, str(uuid.uuid4()))).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if status in (429, 503):
        headers.append((b"retry-after", str(retry_after_s).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class DroppedConnectionFilter(logging.Filter):
    """Keeps uvicorn from logging a traceback for each injected dropped connection."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for records caused by ``ConnectionDropped`` (see `connection_dropped`)."""
        exc = record.exc_info[1] if record.exc_info else None
        # None yet: no call has met the fault, so no record is caused by it.
        return _dropped is None or not isinstance(exc, _dropped)
