"""Auth modes: client credentials (fetch, cache, refresh, one re-auth on 401), token, none."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from pydantic import SecretStr

from scribe_eval.client import (
    AmbientClient,
    Auth,
    BearerTokenAuth,
    ClientCredentialsAuth,
    ClientSettings,
    ManualClock,
    NoAuth,
    ScriptedTransport,
    vendor_token_url,
)
from scribe_eval.client._scripted import Answer
from scribe_eval.errors import AuthenticationError, ConfigError

TOKEN_URL = "https://auth.test/realms/acme/protocol/openid-connect/token"
PAGE: dict[str, list[object]] = {"interactions": []}


def _token(value: str, expires_in: int = 300) -> httpx.Response:
    body = {"access_token": value, "expires_in": expires_in, "token_type": "Bearer"}
    return httpx.Response(200, json=body)


def _ok() -> httpx.Response:
    return httpx.Response(200, json=PAGE)


def _client(
    auth: Auth, *answers: Answer, clock: ManualClock | None = None
) -> tuple[AmbientClient, ScriptedTransport]:
    transport, clock = ScriptedTransport(answers), clock or ManualClock()
    client = AmbientClient(
        "https://api.test/v2", auth=auth, tenant="acme", transport=transport,
        sleep=clock.sleep, clock=clock, rng=lambda: 0.0,
    )  # fmt: skip
    return client, transport


def _credentials(clock: ManualClock) -> ClientCredentialsAuth:
    return ClientCredentialsAuth(TOKEN_URL, "scribe", "s3cr3t-value", clock=clock)


async def test_token_is_fetched_with_client_credentials_and_sent_with_tenant() -> None:
    clock = ManualClock()
    client, transport = _client(_credentials(clock), _token("tok-1"), _ok(), clock=clock)
    await client.list_interactions()
    token_request, api_request = transport.requests
    assert str(token_request.url) == TOKEN_URL
    assert token_request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert parse_qs(token_request.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["scribe"],
        "client_secret": ["s3cr3t-value"],
        "scope": ["openid"],
    }
    assert "Authorization" not in token_request.headers
    assert api_request.headers["Authorization"] == "Bearer tok-1"
    assert api_request.headers["Tenant-Name"] == "acme"


async def test_token_is_cached_then_refreshed_before_expiry() -> None:
    clock = ManualClock()
    answers = [_token("tok-1", 300), _ok(), _ok(), _token("tok-2", 300), _ok()]
    client, transport = _client(_credentials(clock), *answers, clock=clock)
    await client.list_interactions()
    clock.advance(200)  # still 100 s of validity, more than the 30 s margin
    await client.list_interactions()
    clock.advance(75)  # 25 s left: inside the margin, renew before it lapses
    await client.list_interactions()
    sent = [r.headers.get("Authorization") for r in transport.requests]
    assert sent == [None, "Bearer tok-1", "Bearer tok-1", None, "Bearer tok-2"]
    assert client.calls["POST /realms/acme/protocol/openid-connect/token"] == 2


async def test_concurrent_calls_share_one_token_request() -> None:
    clock = ManualClock()
    client, transport = _client(_credentials(clock), _token("tok-1"), _ok(), _ok(), _ok())
    await asyncio.gather(*(client.list_interactions() for _ in range(3)))
    assert [r.url.host for r in transport.requests].count("auth.test") == 1


async def test_401_reauthenticates_once_and_succeeds() -> None:
    clock = ManualClock()
    answers = [_token("old"), httpx.Response(401), _token("new"), _ok()]
    client, transport = _client(_credentials(clock), *answers, clock=clock)
    assert await client.list_interactions() == []
    sent = [r.headers.get("Authorization") for r in transport.requests]
    assert sent == [None, "Bearer old", None, "Bearer new"]


async def test_401_after_reauthentication_fails() -> None:
    clock = ManualClock()
    answers = [_token("a"), httpx.Response(401), _token("b"), httpx.Response(401)]
    client, transport = _client(_credentials(clock), *answers, clock=clock)
    with pytest.raises(AuthenticationError, match="SCRIBE_EVAL_CLIENT_SECRET") as info:
        await client.list_interactions()
    assert info.value.status_code == 401
    assert "401 carries no body" in str(info.value)
    assert len(transport.requests) == 4


async def test_refused_client_credentials_raise_authentication_error() -> None:
    clock = ManualClock()
    refusal = {"error": "unauthorized_client", "error_description": "Invalid client secret"}
    client, transport = _client(_credentials(clock), httpx.Response(401, json=refusal))
    with pytest.raises(AuthenticationError, match="Invalid client secret") as info:
        await client.list_interactions()
    assert "token endpoint refused" in str(info.value)
    assert len(transport.requests) == 1


async def test_a_failed_token_request_is_made_once_for_many_calls_then_retried_later() -> None:
    clock = ManualClock()
    refusal = {"error": "unauthorized_client", "error_description": "Invalid client secret"}
    answers = [httpx.Response(401, json=refusal), _token("tok-1"), _ok()]
    client, transport = _client(_credentials(clock), *answers, clock=clock)
    results = await asyncio.gather(
        *(client.list_interactions() for _ in range(20)), return_exceptions=True
    )
    assert all(isinstance(r, AuthenticationError) for r in results)
    assert len(transport.requests) == 1  # one token request for twenty waiting calls
    clock.advance(31)  # after the back-off a fixed secret gets its chance
    assert await client.list_interactions() == []
    assert len(transport.requests) == 3


async def test_static_token_is_sent_and_a_401_is_final() -> None:
    client, transport = _client(BearerTokenAuth("abc"), httpx.Response(401))
    with pytest.raises(AuthenticationError, match="SCRIBE_EVAL_TOKEN"):
        await client.list_interactions()
    assert transport.requests[0].headers["Authorization"] == "Bearer abc"
    assert len(transport.requests) == 1


async def test_no_auth_sends_no_authorization_header() -> None:
    client, transport = _client(NoAuth(), _ok())
    await client.list_interactions()
    assert "Authorization" not in transport.requests[0].headers


def test_vendor_token_url() -> None:
    expected = "https://auth.us.corti.app/realms/acme/protocol/openid-connect/token"
    assert vendor_token_url("acme", "us") == expected


@pytest.mark.parametrize(
    ("env", "mode", "auth_type"),
    [
        pytest.param({}, "none", NoAuth, id="nothing-set"),
        pytest.param({"SCRIBE_EVAL_TOKEN": "t"}, "token", BearerTokenAuth, id="token"),
        pytest.param(
            {"SCRIBE_EVAL_CLIENT_ID": "c", "SCRIBE_EVAL_CLIENT_SECRET": "s"},
            "client_credentials",
            ClientCredentialsAuth,
            id="client-credentials",
        ),
    ],
)
def test_settings_pick_the_auth_mode_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], mode: str, auth_type: type[Auth]
) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_TENANT", "acme")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = ClientSettings()
    assert settings.resolved_auth_mode() == mode
    assert type(settings.build_auth()) is auth_type


def test_settings_build_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_TENANT", "acme")
    monkeypatch.setenv("SCRIBE_EVAL_ENV", "us")
    settings = ClientSettings()
    assert settings.resolved_base_url() == "https://api.us.corti.app/v2"
    assert settings.resolved_auth_url() == vendor_token_url("acme", "us")
    emulator = "http://127.0.0.1:8123/auth/realms/{tenant}/protocol/openid-connect/token"
    monkeypatch.setenv("SCRIBE_EVAL_AUTH_URL", emulator)
    monkeypatch.setenv("SCRIBE_EVAL_BASE_URL", "http://127.0.0.1:8123/v2/")
    settings = ClientSettings()
    assert settings.resolved_auth_url() == emulator.replace("{tenant}", "acme")
    assert settings.resolved_base_url() == "http://127.0.0.1:8123/v2"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"SCRIBE_EVAL_CLIENT_ID": "c"}, "SCRIBE_EVAL_CLIENT_SECRET", id="no-secret"),
        pytest.param(
            {"SCRIBE_EVAL_CLIENT_ID": "c", "SCRIBE_EVAL_CLIENT_SECRET": "s"},
            "SCRIBE_EVAL_TENANT",
            id="no-tenant",
        ),
        pytest.param({"SCRIBE_EVAL_AUTH_MODE": "token"}, "SCRIBE_EVAL_TOKEN", id="no-token"),
    ],
)
def test_settings_name_the_missing_variable(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        ClientSettings().build_auth()


def test_secrets_never_appear_in_reprs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_CLIENT_SECRET", "hunter2-secret")
    monkeypatch.setenv("SCRIBE_EVAL_TOKEN", "tok-secret-9")
    settings = ClientSettings(client_id="c", tenant="acme")
    assert isinstance(settings.client_secret, SecretStr)
    objects: list[Any] = [
        settings,
        ClientCredentialsAuth(TOKEN_URL, "c", "hunter2-secret"),
        BearerTokenAuth("tok-secret-9"),
        AmbientClient("https://api.test/v2", auth=BearerTokenAuth("tok-secret-9")),
    ]
    for obj in objects:
        text = repr(obj) + str(obj)
        assert "hunter2-secret" not in text
        assert "tok-secret-9" not in text


async def test_from_settings_builds_a_working_client(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_BASE_URL", "http://127.0.0.1:9/v2")
    monkeypatch.setenv("SCRIBE_EVAL_TOKEN", "tok")
    monkeypatch.setenv("SCRIBE_EVAL_TENANT", "acme")
    transport = ScriptedTransport([_ok()])
    async with AmbientClient.from_settings(transport=transport) as client:
        await client.list_interactions()
    sent = transport.requests[0]
    assert str(sent.url).startswith("http://127.0.0.1:9/v2/interactions/")
    assert sent.headers["Authorization"] == "Bearer tok"
    assert sent.headers["Tenant-Name"] == "acme"


@pytest.mark.parametrize(
    ("env", "values", "message"),
    [
        pytest.param({"SCRIBE_EVAL_TIMEOUT": "soon"}, {}, "SCRIBE_EVAL_TIMEOUT", id="bad-env"),
        pytest.param({}, {"max_attemps": 3}, "max_attemps", id="typo-keyword"),
        pytest.param({"SCRIBE_EVAL_ENV": "asia"}, {}, "SCRIBE_EVAL_ENV", id="unknown-env"),
    ],
)
def test_invalid_settings_are_config_errors(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], values: dict[str, Any], message: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        ClientSettings.load(**values)


def test_unrelated_variables_are_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_SOMETHING_ELSE", "1")
    assert ClientSettings.load().resolved_auth_mode() == "none"
