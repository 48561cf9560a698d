"""Retry rules: what is retried, how long the client waits, and what it raises when it gives up."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from scribe_eval.client import (
    AmbientClient,
    ManualClock,
    RetryPolicy,
    ScriptedTransport,
    gated_calls,
    parse_retry_after,
)
from scribe_eval.client._scripted import Answer
from scribe_eval.errors import (
    APIStatusError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
)

NOW = datetime(2026, 11, 24, 3, 0, 0, tzinfo=UTC)
PAGE: dict[str, list[object]] = {"interactions": []}


def _client(*answers: Answer, **kw: Any) -> tuple[AmbientClient, ScriptedTransport, ManualClock]:
    transport, clock = ScriptedTransport(answers), ManualClock()
    client = AmbientClient(
        "https://api.test/v2", tenant="acme", transport=transport, sleep=clock.sleep,
        clock=clock, rng=lambda: 1.0, now=lambda: NOW, **kw,
    )  # fmt: skip
    return client, transport, clock


def _error(status: int, **headers: str) -> httpx.Response:
    body = {"requestid": "r-1", "status": status, "type": "x", "detail": f"failure {status}"}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    "status", [pytest.param(s, id=str(s)) for s in (408, 429, 500, 502, 503, 504)]
)
async def test_retryable_status_is_retried_then_succeeds(status: int) -> None:
    client, transport, clock = _client(
        _error(status), _error(status), httpx.Response(200, json=PAGE)
    )
    assert await client.list_interactions() == []
    assert len(transport.requests) == 3
    assert clock.sleeps == [0.5, 1.0]  # full jitter with rng=1.0 gives the exponential ceiling


@pytest.mark.parametrize(
    "status", [pytest.param(s, id=str(s)) for s in (400, 403, 404, 409, 413, 422)]
)
async def test_other_client_errors_are_never_retried(status: int) -> None:
    client, transport, clock = _client(_error(status))
    with pytest.raises(APIStatusError) as info:
        await client.list_interactions()
    assert info.value.status_code == status
    assert len(transport.requests) == 1
    assert clock.sleeps == []


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(httpx.ReadTimeout("slow"), id="read-timeout"),
        pytest.param(httpx.ConnectError("refused"), id="connect-error"),
        pytest.param(httpx.RemoteProtocolError("dropped"), id="dropped"),
    ],
)
async def test_transport_errors_are_retried(exc: Exception) -> None:
    client, transport, _ = _client(exc, httpx.Response(200, json=PAGE))
    assert await client.list_interactions() == []
    assert len(transport.requests) == 2


async def test_attempts_that_reached_no_server_are_not_counted_as_api_calls() -> None:
    # Refused twice, then an answer: one API call. A dead address must not report one API call
    # per retry (a run against a dead port said "16 API calls" when nothing answered).
    client, transport, _ = _client(
        httpx.ConnectError("refused"), httpx.ConnectTimeout("no route"),
        httpx.Response(200, json=PAGE),
    )  # fmt: skip
    assert await client.list_interactions() == []
    assert len(transport.requests) == 3
    assert (client.calls.total, client.calls.unsent) == (1, 2)
    assert client.calls.as_dict() == {"GET /interactions/": 1}


async def test_attempts_that_may_have_reached_the_server_count_as_api_calls() -> None:
    # A read time-out or a dropped answer: the server may have acted (and billed).
    client, _, _ = _client(
        httpx.ReadTimeout("slow"), httpx.RemoteProtocolError("dropped"),
        httpx.Response(200, json=PAGE),
    )  # fmt: skip
    assert await client.list_interactions() == []
    assert (client.calls.total, client.calls.unsent) == (3, 0)


async def test_transport_errors_after_every_attempt_become_transport_error() -> None:
    client, transport, clock = _client(*(httpx.ReadTimeout("slow") for _ in range(4)))
    with pytest.raises(TransportError, match=r"GET /interactions/ failed after 4 attempts") as info:
        await client.list_interactions()
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert len(transport.requests) == 4
    assert clock.sleeps == [0.5, 1.0, 2.0]


async def test_max_attempts_is_configurable() -> None:
    client, transport, _ = _client(_error(503), _error(503), retry=RetryPolicy(max_attempts=2))
    with pytest.raises(ServerError, match="after 2 attempts: failure 503"):
        await client.list_interactions()
    assert len(transport.requests) == 2


async def test_rate_limit_after_every_retry_carries_the_vendor_message() -> None:
    balance = {"status": 429, "detail": "Credit balance exhausted", "requestid": "rq-9"}
    answers = [httpx.Response(429, json=balance, headers={"Retry-After": "1"}) for _ in range(4)]
    client, _, clock = _client(*answers)
    with pytest.raises(RateLimitError) as info:
        await client.list_interactions()
    assert info.value.status_code == 429
    assert info.value.detail == "Credit balance exhausted"
    assert info.value.request_id == "rq-9"
    assert "Credit balance exhausted" in str(info.value)
    assert "top up" in str(info.value)
    assert clock.sleeps == [1.0, 1.0, 1.0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        pytest.param("7", 7.0, id="seconds"),
        pytest.param("Tue, 24 Nov 2026 03:00:12 GMT", 12.0, id="http-date"),
        pytest.param("Tue, 24 Nov 2026 02:59:00 GMT", 0.0, id="date-in-the-past"),
    ],
)
async def test_retry_after_is_honoured(header: str, expected: float) -> None:
    client, _, clock = _client(
        _error(429, **{"Retry-After": header}), httpx.Response(200, json=PAGE)
    )
    await client.list_interactions()
    assert clock.sleeps == [expected]


async def test_retry_after_longer_than_max_wait_stops_at_once() -> None:
    client, transport, clock = _client(
        _error(429, **{"Retry-After": "3600"}), retry=RetryPolicy(max_wait=60)
    )
    with pytest.raises(RateLimitError, match="after 1 attempt"):
        await client.list_interactions()
    assert len(transport.requests) == 1
    assert clock.sleeps == []


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryPolicy(initial_backoff=1.0, max_backoff=5.0)
    assert [policy.backoff(n, lambda: 1.0) for n in range(1, 6)] == [1.0, 2.0, 4.0, 5.0, 5.0]
    assert policy.backoff(3, lambda: 0.25) == 1.0  # full jitter: a fraction of the ceiling


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(None, None, id="missing"),
        pytest.param("", None, id="empty"),
        pytest.param("2.5", 2.5, id="fractional"),
        pytest.param("-3", 0.0, id="negative-clamped"),
        pytest.param("soon", None, id="garbage"),
        pytest.param("Tue, 24 Nov 2026 03:01:00 GMT", 60.0, id="date"),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


async def test_not_found_is_raised_without_retry() -> None:
    client, transport, _ = _client(_error(404))
    with pytest.raises(NotFoundError):
        await client.get_interaction("4a1f0c52-0000-4000-8000-000000000000")
    assert len(transport.requests) == 1


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="max_attempts"):
        RetryPolicy(max_attempts=0)


async def test_delete_that_timed_out_then_answers_404_has_succeeded() -> None:
    client, transport, _ = _client(httpx.ReadTimeout("lost"), _error(404))
    await client.delete_interaction("4a1f0c52-0000-4000-8000-000000000000")
    assert len(transport.requests) == 2


async def test_delete_of_an_unknown_id_is_still_not_found() -> None:
    client, _, _ = _client(httpx.ConnectError("refused"), _error(404))
    with pytest.raises(NotFoundError):
        await client.delete_interaction("4a1f0c52-0000-4000-8000-000000000000")


async def test_a_gate_holds_each_attempt_and_never_the_wait_between() -> None:
    """`gated_calls` is what a caller's concurrency limit holds: each request while it is out,
    the back-off between attempts outside it (a slot held while sleeping is a slot wasted)."""
    events: list[str] = []
    answers = (_error(503), httpx.Response(200, json=PAGE), httpx.Response(200, json=PAGE))
    transport, clock = ScriptedTransport(answers), ManualClock()

    async def sleep(seconds: float) -> None:
        events.append("back-off")
        await clock.sleep(seconds)

    client = AmbientClient(
        "https://api.test/v2", tenant="acme", transport=transport, sleep=sleep, clock=clock,
        rng=lambda: 1.0, now=lambda: NOW,
    )  # fmt: skip

    @contextlib.asynccontextmanager
    async def gate() -> AsyncIterator[None]:
        events.append("in")
        yield
        events.append(f"out after {len(transport.requests)} sent")

    with gated_calls(gate):
        assert await client.list_interactions() == []
    assert events == ["in", "out after 1 sent", "back-off", "in", "out after 2 sent"]
    assert await client.list_interactions() == []  # outside the block: no gate
    assert len(transport.requests) == 3
    assert events[-1] == "out after 2 sent"


async def test_a_gate_that_refuses_sends_nothing() -> None:
    """A gate that raises on entry (the caller is stopping) ends the call with nothing sent."""
    client, transport, _ = _client(httpx.Response(200, json=PAGE))

    @contextlib.asynccontextmanager
    async def closed() -> AsyncIterator[None]:
        raise RuntimeError("stopping")
        yield  # pragma: no cover

    with gated_calls(closed), pytest.raises(RuntimeError, match="stopping"):
        await client.list_interactions()
    assert transport.requests == []
