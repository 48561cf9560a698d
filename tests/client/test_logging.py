"""DEBUG logs name each request (method, path, status, time, request id); never a body or secret."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from scribe_eval.api import CreateDocumentRequest, StringContext
from scribe_eval.client import AmbientClient, ClientCredentialsAuth, ManualClock, ScriptedTransport
from scribe_eval.errors import TransportError

SECRET = "cl13nt-s3cr3t-do-not-log"
TOKEN = "acc3ss-t0ken-do-not-log"
BODY_TEXT = "Patient reports chest pain radiating to the left arm"
TOKEN_URL = "https://auth.test/realms/acme/protocol/openid-connect/token"


async def test_logs_carry_the_call_but_no_body_or_secret(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    document = {"id": "d-1", "name": BODY_TEXT, "sections": [{"key": "k", "text": BODY_TEXT}]}
    transport = ScriptedTransport(
        [
            httpx.Response(200, json={"access_token": TOKEN, "expires_in": 300}),
            httpx.Response(201, json=document, headers={"X-Request-Id": "rq-42"}),
            httpx.Response(400, json={"detail": f"bad: {BODY_TEXT}", "requestid": "rq-43"}),
            *(httpx.ReadTimeout(f"timed out sending {SECRET}") for _ in range(4)),
        ]
    )
    clock = ManualClock()
    auth = ClientCredentialsAuth(TOKEN_URL, "scribe", SECRET, clock=clock)
    client = AmbientClient(
        "https://api.test/v2", auth=auth, tenant="acme", transport=transport,
        sleep=clock.sleep, clock=clock,
    )  # fmt: skip
    body = CreateDocumentRequest(
        context=[StringContext(type="string", data=BODY_TEXT)],
        output_language="en",
        template_key="corti-soap",
    )
    await client.create_document("i-1", body)
    with pytest.raises(Exception, match="bad"):
        await client.get_document("i-1", "d-1")
    with pytest.raises(TransportError):
        await client.list_documents("i-1")

    text = caplog.text
    assert SECRET not in text
    assert TOKEN not in text
    assert BODY_TEXT not in text
    lines = [r.getMessage() for r in caplog.records if r.name == "scribe_eval.client"]
    assert re.fullmatch(
        r"POST /realms/acme/protocol/openid-connect/token -> 200 in \d+\.\d ms "
        r"\(attempt 1, request id -\)",
        lines[0],
    )
    assert re.fullmatch(
        r"POST /interactions/i-1/documents/ -> 201 in \d+\.\d ms \(attempt 1, request id rq-42\)",
        lines[1],
    )
    assert lines[2].startswith("GET /interactions/i-1/documents/d-1 -> 400")
    assert lines[2].endswith("request id rq-43)")
    assert lines[3].startswith("GET /interactions/i-1/documents/ -> ReadTimeout")
    assert lines[6].endswith("(attempt 4, request id -)")
