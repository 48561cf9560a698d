"""Fault injection: seeded and reproducible, never on health or tokens, seen by client retries."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from scribe_eval.api import CreateInteractionRequest
from scribe_eval.client import AmbientClient, RetryPolicy
from scribe_eval.emulator import EmulatorSettings, FaultPlan, FaultSettings, _faults, create_app
from scribe_eval.errors import RateLimitError

BASE = "http://emu.test/v2"
BODY = {"encounter": {"identifier": "e", "status": "planned", "type": "consultation"}}


async def _no_sleep(_seconds: float) -> None:
    return None


def _app(tmp_path: Path, **faults: Any) -> Any:
    settings = EmulatorSettings(
        data_dir=tmp_path / "data", asr_engine="instant", faults=FaultSettings(**faults)
    )
    return create_app(settings)


def _kinds(plan: FaultPlan, n: int = 300) -> list[str | None]:
    return [plan.request_fault() for _ in range(n)]


def test_same_seed_same_faults_other_seed_other_faults() -> None:
    settings = FaultSettings(p429=0.2, p500=0.1, p503=0.1, p_drop=0.05, seed=7)
    first, again = _kinds(FaultPlan(settings)), _kinds(FaultPlan(settings))
    other = _kinds(FaultPlan(settings.model_copy(update={"seed": 8})))
    assert first == again
    assert first != other
    assert {"429", "500", "503", "drop", None} == set(first)
    assert 0.3 < first.count(None) / len(first) < 0.7


def test_no_faults_by_default() -> None:
    assert set(_kinds(FaultPlan(FaultSettings()))) == {None}


async def test_429_with_retry_after_but_never_on_health_or_token(tmp_path: Path) -> None:
    app = _app(tmp_path, p429=1.0, retry_after_s=3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emu.test") as http:
        answer = await http.get("/v2/interactions/")
        assert answer.status_code == 429
        assert answer.headers["Retry-After"] == "3"
        assert answer.json()["status"] == 429
        assert (await http.get("/v2/health")).status_code == 200
        assert (await http.get("/v2/_emulator/stats")).status_code == 200
        token = await http.post(
            "/auth/realms/base/protocol/openid-connect/token",
            data={"grant_type": "client_credentials", "client_id": "a", "client_secret": "b"},
        )
        assert token.status_code == 200
    stats = app.state.emulator.faults.snapshot()
    assert stats["requests"] == 1
    assert stats["faults"] == {"429": 1}


async def test_client_retries_through_500_and_503(tmp_path: Path) -> None:
    app = _app(tmp_path, p500=0.3, p503=0.2, seed=5)
    retry = RetryPolicy(max_attempts=12, initial_backoff=0.0, max_backoff=0.0)
    transport = httpx.ASGITransport(app=app)
    async with AmbientClient(BASE, transport=transport, retry=retry, sleep=_no_sleep) as client:
        for _ in range(10):
            await client.list_interactions()
        sent = client.calls.total
    stats = app.state.emulator.faults.snapshot()
    assert set(stats["faults"]) == {"500", "503"}
    injected = sum(stats["faults"].values())
    assert stats["requests"] == 10 + injected  # every injected failure was retried once more
    assert sent == stats["requests"]


async def test_client_gives_up_on_constant_429(tmp_path: Path) -> None:
    app = _app(tmp_path, p429=1.0, retry_after_s=0)
    retry = RetryPolicy(max_attempts=3, initial_backoff=0.0, max_backoff=0.0)
    transport = httpx.ASGITransport(app=app)
    async with AmbientClient(BASE, transport=transport, retry=retry, sleep=_no_sleep) as client:
        with pytest.raises(RateLimitError):
            await client.create_interaction(CreateInteractionRequest.model_validate(BODY))
    assert app.state.emulator.faults.snapshot()["requests"] == 3


@pytest.mark.parametrize(
    ("faults", "work_s", "waits"),
    [
        pytest.param({"latency_ms": 60}, 0.0, [0.06], id="fixed-latency"),
        pytest.param({"latency_ms": 60}, 0.025, [0.035], id="latency-includes-the-work"),
        pytest.param({"latency_ms": 60}, 0.08, [], id="work-longer-than-latency"),
        pytest.param({"p_slow": 1.0, "slow_ms": 60}, 0.0, [0.06], id="slow-answer"),
        pytest.param(
            {"latency_ms": 20, "p_slow": 1.0, "slow_ms": 60},
            0.01,
            [0.06, 0.01],
            id="slow-then-latency",
        ),
    ],
)
async def test_latency_and_slow_answers(
    monkeypatch: pytest.MonkeyPatch,
    faults: dict[str, Any],
    work_s: float,
    waits: list[float],
) -> None:
    # What the middleware waits for, when the route serves the call and when its answer starts,
    # in the order they happen, on a clock of the test's own: no wall clock (a loaded machine
    # stretches any time measured). The clock moves by each wait, and by ``work_s`` while the
    # route works. Only the fault module's view of `asyncio` and its clock are replaced.
    events: list[str] = []
    clock = [100.0]

    async def waited(seconds: float) -> None:
        events.append(f"wait {round(seconds, 9)}")
        clock[0] += seconds
        await asyncio.sleep(0)

    monkeypatch.setattr(_faults, "asyncio", SimpleNamespace(sleep=waited))
    monkeypatch.setattr(_faults, "_now", lambda: clock[0])

    async def route(scope: Any, receive: Any, send: Any) -> None:
        events.append(f"served {scope['path']}")
        clock[0] += work_s
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def answer(message: Any) -> None:
        if message["type"] == "http.response.start":
            events.append("answer")

    plan = FaultPlan(FaultSettings(**faults))
    middleware = _faults.FaultMiddleware(route, plan)
    for path in ("/v2/interactions/", "/v2/health"):
        await middleware({"type": "http", "method": "GET", "path": path}, receive, answer)
    # A slow answer's extra delay comes first; the route then serves the call at once, and its
    # answer is held until the fixed latency has passed since then: the latency is the time a
    # call takes, the emulator's own work included. Health waits for nothing.
    slow_wait = [f"wait {waits[0]}"] if faults.get("p_slow") else []
    rest = waits[1:] if faults.get("p_slow") else waits
    assert events == [
        *slow_wait, "served /v2/interactions/", *(f"wait {s}" for s in rest), "answer",
        "served /v2/health", "answer",
    ]  # fmt: skip
    assert plan.snapshot()["faults"] == ({"slow": 1} if faults.get("p_slow") else {})


async def test_stats_count_calls_per_endpoint(tmp_path: Path) -> None:
    app = _app(tmp_path)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE + "/") as http:
        iid = (await http.post("interactions/", json=BODY)).json()["interactionId"]
        await http.get(f"interactions/{iid}")
        await http.get(f"interactions/{iid}/")
        stats = (await http.get("_emulator/stats")).json()
        health = (await http.get("health")).json()
    assert stats["requests"] == 3
    assert stats["byEndpoint"] == {"GET /v2/interactions/{id}": 2, "POST /v2/interactions": 1}
    assert stats["stored"]["interactions"] == 1
    assert health["requests"] == 3


async def test_dropped_connection_in_process_is_an_httpx_transport_error(tmp_path: Path) -> None:
    app = _app(tmp_path, p_drop=0.5, seed=1)  # seed 1: the first call is dropped
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE + "/") as http:
        with pytest.raises(httpx.TransportError):
            await http.get("interactions/")
    retry = RetryPolicy(max_attempts=10, initial_backoff=0.0, max_backoff=0.0)
    async with AmbientClient(BASE, transport=transport, retry=retry, sleep=_no_sleep) as client:
        for _ in range(4):
            assert await client.list_interactions() == []
    stats = app.state.emulator.faults.snapshot()
    assert stats["faults"]["drop"] >= 2
    assert stats["requests"] == 5 + stats["faults"]["drop"] - 1


async def test_a_crashed_route_still_takes_the_latency(monkeypatch: pytest.MonkeyPatch) -> None:
    # The server's outer error handler answers a crash (500) with a send that is not held, so
    # the middleware waits out the latency before letting the crash through; it used to wait
    # first and serve after, and a crash answered at once would read as a fast call.
    events: list[str] = []
    clock = [100.0]

    async def waited(seconds: float) -> None:
        events.append(f"wait {round(seconds, 9)}")
        clock[0] += seconds

    monkeypatch.setattr(_faults, "asyncio", SimpleNamespace(sleep=waited))
    monkeypatch.setattr(_faults, "_now", lambda: clock[0])

    async def route(scope: Any, receive: Any, send: Any) -> None:
        events.append("served")
        clock[0] += 0.01
        raise RuntimeError("boom")

    async def receive() -> Any:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def answer(message: Any) -> None:
        events.append("answer")

    middleware = _faults.FaultMiddleware(route, FaultPlan(FaultSettings(latency_ms=60)))
    with pytest.raises(RuntimeError, match="boom"):
        await middleware({"type": "http", "method": "GET", "path": "/v2/x"}, receive, answer)
    assert events == ["served", "wait 0.05"]
