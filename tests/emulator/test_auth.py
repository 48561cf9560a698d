"""Client-credentials mode: the token endpoint, 401 with an empty body, tenant-bound tokens."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from scribe_eval.api import CreateInteractionRequest
from scribe_eval.client import AmbientClient, ClientCredentialsAuth
from scribe_eval.emulator import EmulatorSettings, create_app
from scribe_eval.errors import AuthenticationError

ROOT = "http://emu.test"
TOKEN_PATH = "/auth/realms/{tenant}/protocol/openid-connect/token"
ENCOUNTER = {"identifier": "e", "status": "planned", "type": "consultation"}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = EmulatorSettings(
        data_dir=tmp_path_factory.mktemp("auth"),
        asr_engine="instant",
        auth="client-credentials",
        clients={
            "acme": {"client_id": "acme-id", "client_secret": "acme-secret"},
            "other": {"client_id": "other-id", "client_secret": "other-secret"},
        },
    )
    return create_app(settings)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=ROOT) as c:
        yield c


async def _token(http: httpx.AsyncClient, tenant: str, client_id: str, secret: str) -> str:
    answer = await http.post(
        TOKEN_PATH.format(tenant=tenant),
        data={"grant_type": "client_credentials", "client_id": client_id,
              "client_secret": secret, "scope": "openid"},
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["expires_in"] == 300
    assert answer.json()["token_type"] == "Bearer"
    return str(answer.json()["access_token"])


@pytest.mark.parametrize(
    ("tenant", "form", "status", "error"),
    [
        pytest.param("acme", {"grant_type": "client_credentials", "client_id": "acme-id",
                              "client_secret": "wrong"}, 401, "invalid_client", id="bad-secret"),
        pytest.param("other", {"grant_type": "client_credentials", "client_id": "acme-id",
                               "client_secret": "acme-secret"}, 401, "invalid_client",
                     id="other-realm"),
        pytest.param("nobody", {"grant_type": "client_credentials", "client_id": "x",
                                "client_secret": "y"}, 401, "invalid_client", id="unknown-realm"),
        pytest.param("acme", {"grant_type": "password", "client_id": "acme-id",
                              "client_secret": "acme-secret"}, 400, "unsupported_grant_type",
                     id="wrong-grant"),
    ],
)  # fmt: skip
async def test_token_endpoint_refuses(
    http: httpx.AsyncClient, tenant: str, form: dict[str, str], status: int, error: str
) -> None:
    answer = await http.post(TOKEN_PATH.format(tenant=tenant), data=form)
    assert answer.status_code == status
    assert answer.json()["error"] == error


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="missing"),
        pytest.param("Bearer not-a-token-we-issued", id="unknown"),
        pytest.param("Basic YWNtZS1pZDphY21lLXNlY3JldA==", id="wrong-scheme"),
    ],
)
async def test_bad_credentials_get_401_with_empty_body(
    http: httpx.AsyncClient, authorization: str | None
) -> None:
    headers = {"Tenant-Name": "acme"}
    if authorization:
        headers["Authorization"] = authorization
    answer = await http.get("/v2/interactions/", headers=headers)
    assert answer.status_code == 401
    assert answer.content == b""
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


async def test_token_works_only_for_its_tenant(http: httpx.AsyncClient) -> None:
    token = await _token(http, "acme", "acme-id", "acme-secret")
    auth = {"Authorization": f"Bearer {token}"}
    ok = await http.post(
        "/v2/interactions/", json={"encounter": ENCOUNTER}, headers={**auth, "Tenant-Name": "acme"}
    )
    assert ok.status_code == 201
    other = await http.get("/v2/interactions/", headers={**auth, "Tenant-Name": "other"})
    assert other.status_code == 403
    assert other.json()["status"] == 403
    missing_tenant = await http.get("/v2/interactions/", headers=auth)  # means tenant "base"
    assert missing_tenant.status_code == 403


async def test_expired_token_gets_401(
    http: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    token = await _token(http, "acme", "acme-id", "acme-secret")
    later = time.time() + 301
    monkeypatch.setattr("scribe_eval.emulator._auth.time.time", lambda: later)
    answer = await http.get(
        "/v2/interactions/", headers={"Authorization": f"Bearer {token}", "Tenant-Name": "acme"}
    )
    assert answer.status_code == 401
    assert answer.content == b""


async def test_health_needs_no_token(http: httpx.AsyncClient) -> None:
    assert (await http.get("/v2/health")).status_code == 200


async def test_client_credentials_client_against_the_emulator(app: FastAPI) -> None:
    auth = ClientCredentialsAuth(ROOT + TOKEN_PATH.format(tenant="acme"), "acme-id", "acme-secret")
    transport = httpx.ASGITransport(app=app)
    async with AmbientClient(ROOT + "/v2", auth=auth, tenant="acme", transport=transport) as c:
        created = await c.create_interaction(CreateInteractionRequest.model_validate(
            {"encounter": ENCOUNTER}))  # fmt: skip
        assert created.interaction_id in [i.id for i in await c.list_interactions()]
    wrong = ClientCredentialsAuth(ROOT + TOKEN_PATH.format(tenant="acme"), "acme-id", "nope")
    async with AmbientClient(ROOT + "/v2", auth=wrong, tenant="acme", transport=transport) as c:
        with pytest.raises(AuthenticationError):
            await c.list_interactions()


def test_client_credentials_mode_needs_clients(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="client id and secret"):
        EmulatorSettings(data_dir=tmp_path, auth="client-credentials")
