"""Error mapping: every failure becomes one of our errors, with status, request id and detail."""

from __future__ import annotations

import httpx
import pytest

from scribe_eval.client import AmbientClient, ManualClock, NoAuth, RetryPolicy, ScriptedTransport
from scribe_eval.client._scripted import Answer
from scribe_eval.errors import (
    APIError,
    APIStatusError,
    AuthenticationError,
    ConfigError,
    NotFoundError,
    ServerError,
    TransportError,
)

IID = "4a1f0c52-0000-4000-8000-000000000000"
CURRENT = {
    "requestid": "req-current",
    "status": 400,
    "type": "validation",
    "detail": "primaryLanguage is not supported",
    "validationErrors": [{"primaryLanguage": "unknown code xx"}],
}
LEGACY = {
    "requestid": "req-legacy",
    "type": "about:blank",
    "status": 400,
    "title": "Bad Request",
    "details": "interaction id is not a UUID",
    "instance": "/interactions/nope",
}


def _client(*answers: Answer, attempts: int = 1) -> tuple[AmbientClient, ScriptedTransport]:
    transport, clock = ScriptedTransport(answers), ManualClock()
    client = AmbientClient(
        "https://api.test/v2", auth=NoAuth(), transport=transport, sleep=clock.sleep,
        clock=clock, retry=RetryPolicy(max_attempts=attempts),
    )  # fmt: skip
    return client, transport


@pytest.mark.parametrize(
    ("body", "request_id", "detail"),
    [
        pytest.param(
            CURRENT,
            "req-current",
            "primaryLanguage is not supported (primaryLanguage: unknown code xx)",
            id="current-shape",
        ),
        pytest.param(LEGACY, "req-legacy", "interaction id is not a UUID", id="legacy-shape"),
    ],
)
async def test_both_error_body_shapes_are_read(
    body: dict[str, object], request_id: str, detail: str
) -> None:
    client, _ = _client(httpx.Response(400, json=body))
    with pytest.raises(APIStatusError) as info:
        await client.get_interaction(IID)
    error = info.value
    assert type(error) is APIStatusError
    assert (error.status_code, error.request_id, error.detail) == (400, request_id, detail)
    message = str(error)
    assert message.startswith(f"GET /interactions/{IID} answered 400 Bad Request after 1 attempt")
    assert detail in message
    assert request_id in message
    assert "Fix:" in message
    assert "\n" not in message


async def test_empty_401_is_an_authentication_error_without_detail() -> None:
    answer = httpx.Response(401, headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    client, _ = _client(answer)
    with pytest.raises(AuthenticationError) as info:
        await client.list_interactions()
    assert info.value.status_code == 401
    assert info.value.detail is None
    assert "401 carries no body" in str(info.value)


async def test_403_points_at_the_tenant() -> None:
    client, _ = _client(httpx.Response(403, json={"status": 403, "detail": "other tenant"}))
    with pytest.raises(AuthenticationError, match="SCRIBE_EVAL_TENANT"):
        await client.get_interaction(IID)


async def test_request_id_falls_back_to_a_header() -> None:
    client, _ = _client(httpx.Response(404, headers={"X-Request-Id": "hdr-7"}))
    with pytest.raises(NotFoundError) as info:
        await client.get_interaction(IID)
    assert info.value.request_id == "hdr-7"


@pytest.mark.parametrize(
    "status", [pytest.param(404, id="emulator-404"), pytest.param(500, id="vendor-500")]
)
async def test_unknown_template_key_is_not_found_either_way(status: int) -> None:
    body = {"status": status, "detail": "template not found"}
    client, transport = _client(httpx.Response(status, json=body), attempts=4)
    with pytest.raises(NotFoundError, match="GET /templates/corti-nope answered"):
        await client.get_template("corti-nope")
    assert len(transport.requests) == 1
    assert transport.requests[0].url.path == "/v2/templates/corti-nope"


async def test_500_elsewhere_is_a_server_error() -> None:
    client, _ = _client(httpx.Response(500, text="<html>oops</html>"))
    with pytest.raises(ServerError, match="try again later") as info:
        await client.list_interactions()
    assert info.value.detail is None


@pytest.mark.parametrize(
    "exc",
    [
        pytest.param(httpx.ReadTimeout("timed out"), id="timeout"),
        pytest.param(httpx.ConnectError("refused"), id="connect"),
        pytest.param(httpx.RemoteProtocolError("peer closed"), id="dropped"),
        pytest.param(httpx.ReadError("reset"), id="read-error"),
    ],
)
async def test_httpx_errors_never_escape(exc: Exception) -> None:
    client, _ = _client(exc)
    with pytest.raises(TransportError, match=r"GET /interactions/ failed after 1 attempt") as info:
        await client.list_interactions()
    assert not isinstance(info.value, httpx.HTTPError)
    assert info.value.__cause__ is exc


async def test_unsupported_scheme_is_a_config_error() -> None:
    async with AmbientClient("ftp://api.test/v2", auth=NoAuth()) as client:
        with pytest.raises(ConfigError, match="SCRIBE_EVAL_BASE_URL"):
            await client.list_interactions()


async def test_a_dead_address_names_where_the_base_url_was_set() -> None:
    # The URL came from an experiment file: "check SCRIBE_EVAL_BASE_URL" would send the user to
    # a variable they never set.
    source = "target.base_url in exp.yaml"
    refused = ScriptedTransport([httpx.ConnectError("refused")])
    client = AmbientClient(
        "http://127.0.0.1:9/v2", auth=NoAuth(), transport=refused,
        retry=RetryPolicy(max_attempts=1), base_url_source=source,
    )  # fmt: skip
    async with client:
        with pytest.raises(TransportError) as info:
            await client.list_interactions()
    assert f"Fix: nothing answered at that address; check {source} and" in info.value.message
    assert "SCRIBE_EVAL_BASE_URL" not in info.value.message
    with pytest.raises(ConfigError, match=r"check --target$"):
        AmbientClient("http://a\x00b/v2", auth=NoAuth(), base_url_source="--target")


def test_malformed_base_url_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="SCRIBE_EVAL_BASE_URL"):
        AmbientClient("http://a\x00b/v2", auth=NoAuth())


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(200, text="<html>login</html>"), id="not-json"),
        pytest.param(httpx.Response(200, json={"id": 5, "status": "weird"}), id="wrong-shape"),
    ],
)
async def test_a_body_outside_the_contract_is_an_api_error(answer: httpx.Response) -> None:
    client, _ = _client(answer)
    with pytest.raises(APIError, match="does not match the contract") as info:
        await client.get_transcript(IID, "t-1")
    assert type(info.value) is APIError
