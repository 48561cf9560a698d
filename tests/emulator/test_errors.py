"""Status codes, error bodies and header behaviour of the emulator (raw HTTP, in-process)."""

from __future__ import annotations

import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

from scribe_eval.emulator import EmulatorSettings, create_app

ENCOUNTER = {"identifier": "e-1", "status": "planned", "type": "consultation"}
ERROR_KEYS = {"requestid", "status", "type", "detail", "validationErrors"}


def wav(seconds: float = 2.0, channels: int = 1) -> bytes:
    t = np.arange(int(16_000 * seconds)) / 16_000
    tone = 0.3 * np.sin(2 * np.pi * 440 * t)
    buffer = io.BytesIO()
    sf.write(buffer, np.stack([tone] * channels, axis=1), 16_000, format="WAV")
    return buffer.getvalue()


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    # One app for the module (building one costs ~0.2 s); every test makes its own interactions.
    settings = EmulatorSettings(
        data_dir=tmp_path_factory.mktemp("errors"), asr_engine="instant", max_upload_bytes=200_000
    )
    return create_app(settings)


@pytest.fixture
async def http(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emu.test/v2/") as client:
        yield client


async def _interaction(http: httpx.AsyncClient, tenant: str = "base") -> str:
    answer = await http.post(
        "interactions/", json={"encounter": ENCOUNTER}, headers={"Tenant-Name": tenant}
    )
    assert answer.status_code == 201
    return str(answer.json()["interactionId"])


async def _recording(http: httpx.AsyncClient, iid: str, audio: bytes | None = None) -> str:
    answer = await http.post(f"interactions/{iid}/recordings/", content=audio or wav())
    assert answer.status_code == 201, answer.text
    return str(answer.json()["recordingId"])


def _error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == ERROR_KEYS
    assert body["status"] == status
    assert body["detail"]
    assert body["requestid"]
    return body


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        pytest.param("POST", "interactions/", b"{not json", 400, id="bad-json"),
        pytest.param("POST", "interactions/", {"encounter": {}}, 400, id="missing-fields"),
        pytest.param(
            "POST",
            "interactions/",
            {"encounter": ENCOUNTER, "x": 1},
            400,
            id="unknown-field-strict",
        ),
        pytest.param("GET", "interactions/not-a-uuid", None, 400, id="malformed-uuid"),
        pytest.param("GET", f"interactions/{uuid.uuid4()}", None, 404, id="unknown-interaction"),
        pytest.param("DELETE", f"interactions/{uuid.uuid4()}", None, 404, id="delete-unknown"),
        pytest.param("PATCH", f"interactions/{uuid.uuid4()}", {}, 404, id="patch-unknown"),
        pytest.param("GET", "interactions/?sort=shoeSize", None, 400, id="unknown-sort"),
        pytest.param("GET", "interactions/?pageSize=0", None, 400, id="page-size-zero"),
        pytest.param(  # found by schemathesis: the offset overflowed SQLite's integers (500)
            "GET",
            "interactions/?pageSize=835&index=10000000000000000000",
            None,
            400,
            id="page-index-beyond-64-bit",
        ),
        pytest.param("GET", "no-such-endpoint", None, 404, id="unknown-path"),
        pytest.param("PUT", "interactions/", None, 405, id="wrong-method"),
        pytest.param("PUT", "interactions", None, 405, id="wrong-method-no-slash"),
        pytest.param("GET", "no-such-endpoint/", None, 404, id="unknown-path-slash"),
        pytest.param("GET", "templates/corti-nothing", None, 404, id="unknown-template"),
    ],
)
async def test_error_answers_have_the_contract_body(
    http: httpx.AsyncClient, method: str, path: str, body: Any, status: int
) -> None:
    kwargs: dict[str, Any] = {"content": body} if isinstance(body, bytes) else {"json": body}
    if body is None:
        kwargs = {}
    _error(await http.request(method, path, **kwargs), status)


async def test_validation_errors_name_the_field(http: httpx.AsyncClient) -> None:
    body = _error(
        await http.post("interactions/", json={"encounter": {**ENCOUNTER, "status": "bogus"}}), 400
    )
    assert any("encounter.status" in item for item in body["validationErrors"])


@pytest.mark.parametrize(
    "path", [pytest.param("interactions", id="collection-no-slash"),
             pytest.param("interactions/", id="collection-slash")],
)  # fmt: skip
async def test_collection_paths_with_and_without_slash(http: httpx.AsyncClient, path: str) -> None:
    answer = await http.post(path, json={"encounter": ENCOUNTER})
    assert answer.status_code == 201
    iid = answer.json()["interactionId"]
    assert (await http.get(f"interactions/{iid}/")).status_code == 200
    assert (await http.get(f"interactions/{iid}")).status_code == 200
    assert (await http.get(f"interactions/{iid}/recordings")).json() == {"recordings": []}


async def test_the_other_slash_form_keeps_the_query(http: httpx.AsyncClient) -> None:
    await _interaction(http)
    page = await http.get("interactions", params={"pageSize": 1})
    assert page.status_code == 200
    assert len(page.json()["interactions"]) == 1


async def test_other_tenant_gets_403_and_never_the_data(http: httpx.AsyncClient) -> None:
    mine = {"Tenant-Name": "clinic-a"}
    secret = {**ENCOUNTER, "identifier": "SECRET-ENCOUNTER-ID"}
    created = await http.post("interactions/", json={"encounter": secret}, headers=mine)
    iid = created.json()["interactionId"]
    rid = (await http.post(f"interactions/{iid}/recordings/", content=wav(), headers=mine)).json()
    other = {"Tenant-Name": "clinic-b"}
    for method, path in [
        ("GET", f"interactions/{iid}"),
        ("DELETE", f"interactions/{iid}"),
        ("GET", f"interactions/{iid}/recordings/{rid['recordingId']}"),
        ("GET", f"interactions/{iid}/transcripts/"),
        ("GET", f"interactions/{iid}/documents/"),
    ]:
        answer = await http.request(method, path, headers=other)
        _error(answer, 403)
        assert "clinic-a" not in answer.text
        assert "SECRET-ENCOUNTER-ID" not in answer.text
    assert (await http.get("interactions/", headers=other)).json() == {"interactions": []}
    fresh = {"Tenant-Name": "clinic-c"}
    assert (await http.get("interactions/", headers=fresh)).json() == {"interactions": []}
    assert (await http.get(f"interactions/{iid}", headers=mine)).status_code == 200


@pytest.mark.parametrize(
    ("audio", "status", "words"),
    [
        pytest.param(b"", 400, "empty", id="empty"),
        pytest.param(
            b"%PDF-1.7 this is no audio at all, not even close" * 4,
            400,
            "not audio",
            id="not-audio",
        ),
        pytest.param(
            b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 100, 400, "decod", id="undecodable-wav"
        ),
        pytest.param(b"\x00" * 300_000, 413, "limit", id="too-large"),
    ],
)
async def test_bad_uploads(http: httpx.AsyncClient, audio: bytes, status: int, words: str) -> None:
    iid = await _interaction(http)
    body = _error(await http.post(f"interactions/{iid}/recordings/", content=audio), status)
    assert words in body["detail"]
    assert (await http.get(f"interactions/{iid}/recordings/")).json() == {"recordings": []}


async def test_upload_limit_stops_reading_a_chunked_body(app: FastAPI) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:
        nonlocal sent
        for _ in range(100):  # 100 x 64 KB = 6.4 MB against a 200 KB limit
            sent += 1
            yield wav(0.1)[:44] + b"\x00" * (65_536 - 44)

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://emu.test/v2/") as http:
        iid = await _interaction(http)
        answer = await http.post(f"interactions/{iid}/recordings/", content=chunks())
    _error(answer, 413)
    assert sent < 10  # refused after about 200 KB, not after reading all 6.4 MB
    assert not any(app.state.emulator.store.incoming_dir.iterdir())


async def test_upload_sniffs_instead_of_trusting_content_type(http: httpx.AsyncClient) -> None:
    iid = await _interaction(http)
    wrong_type = {"Content-Type": "audio/mpeg"}
    answer = await http.post(f"interactions/{iid}/recordings/", content=wav(), headers=wrong_type)
    assert answer.status_code == 201
    rid = answer.json()["recordingId"]
    download = await http.get(f"interactions/{iid}/recordings/{rid}")
    assert download.headers["content-type"] == "audio/wav"
    fake = await http.post(
        f"interactions/{iid}/recordings/",
        content=b"hello " * 50,
        headers={"Content-Type": "audio/wav"},
    )
    _error(fake, 400)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param({"primaryLanguage": "xx"}, 400, id="unsupported-language"),
        pytest.param(
            {"primaryLanguage": "en", "keyterms": {"terms": [{"term": "x" * 51}]}},
            400,
            id="keyterm-too-long",
        ),
        pytest.param(
            {"primaryLanguage": "en", "recordingId": str(uuid.uuid4())}, 404, id="unknown-recording"
        ),
        pytest.param({"primaryLanguage": "en", "recordingId": "nope"}, 400, id="bad-recording-id"),
        pytest.param({"recordingId": None}, 400, id="missing-language"),
        pytest.param({"primaryLanguage": "en", "bogus": True}, 400, id="unknown-field"),
    ],
)
async def test_transcript_request_errors(
    http: httpx.AsyncClient, body: dict[str, Any], status: int
) -> None:
    iid = await _interaction(http)
    rid = await _recording(http, iid)
    payload = {"recordingId": rid, **body}
    payload = {k: v for k, v in payload.items() if v is not None}
    _error(await http.post(f"interactions/{iid}/transcripts/", json=payload), status)
    assert (await http.get(f"interactions/{iid}/transcripts/")).json() == {"transcripts": []}


async def test_transcript_of_another_interactions_recording_is_404(
    http: httpx.AsyncClient,
) -> None:
    first, second = await _interaction(http), await _interaction(http)
    rid = await _recording(http, first)
    body = {"recordingId": rid, "primaryLanguage": "en"}
    _error(await http.post(f"interactions/{second}/transcripts/", json=body), 404)
    unknown = f"interactions/{first}/transcripts/{uuid.uuid4()}"
    _error(await http.get(unknown), 404)
    _error(await http.get(f"{unknown}/status"), 404)
    _error(await http.delete(unknown), 404)


CONTEXT = [{"type": "string", "data": "Cough for three days. Plan: rest and fluids."}]


@pytest.mark.parametrize(
    ("extra", "status"),
    [
        pytest.param({"templateKey": "corti-unknown"}, 404, id="unknown-template-key"),
        pytest.param({"template": {"sections": []}}, 400, id="empty-sections"),
        pytest.param(
            {"template": {"sections": [{"key": "corti-nope"}]}}, 404, id="unknown-section"
        ),
        pytest.param({"template": {"sectionKeys": ["corti-nope"]}}, 404, id="unknown-section-key"),
        pytest.param(
            {"templateKey": "corti-soap", "outputLanguage": "xx"}, 400, id="unsupported-language"
        ),
        pytest.param({}, 400, id="no-template"),
        pytest.param({"templateKey": "corti-soap", "context": []}, 400, id="empty-context"),
        pytest.param({"templateKey": "corti-soap", "context": CONTEXT * 2}, 400, id="two-strings"),
    ],
)
async def test_document_request_errors(
    http: httpx.AsyncClient, extra: dict[str, Any], status: int
) -> None:
    iid = await _interaction(http)
    payload = {"context": CONTEXT, "outputLanguage": "en", **extra}
    _error(await http.post(f"interactions/{iid}/documents/", json=payload), status)
    assert (await http.get(f"interactions/{iid}/documents/")).json() == {"data": []}


async def test_template_key_wins_over_inline_template(http: httpx.AsyncClient) -> None:
    iid = await _interaction(http)
    payload = {"context": CONTEXT, "outputLanguage": "en", "templateKey": "corti-soap",
               "template": {"sectionKeys": ["corti-hpi"]}}  # fmt: skip
    answer = await http.post(f"interactions/{iid}/documents/", json=payload)
    assert answer.status_code == 201
    assert answer.json()["templateRef"] == "corti-soap"
    assert answer.json()["sections"][0]["key"] == "corti-subjective"


async def test_retention_none_answers_but_does_not_store(http: httpx.AsyncClient) -> None:
    iid = await _interaction(http)
    payload = {"context": CONTEXT, "outputLanguage": "en", "templateKey": "corti-soap"}
    kept = await http.post(f"interactions/{iid}/documents/", json=payload)
    assert "X-Corti-Retention-Policy" not in kept.headers
    gone = await http.post(
        f"interactions/{iid}/documents/", json=payload,
        headers={"X-Corti-Retention-Policy": "none"},
    )  # fmt: skip
    assert gone.status_code == 201
    assert gone.json()["sections"]
    assert gone.headers["X-Corti-Retention-Policy"] == "acknowledged"
    stored = (await http.get(f"interactions/{iid}/documents/")).json()["data"]
    assert [d["id"] for d in stored] == [kept.json()["id"]]
    _error(await http.get(f"interactions/{iid}/documents/{gone.json()['id']}"), 404)


async def test_note_engine_failure_is_a_500_in_the_contract_shape(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SCRIBE_EVAL_NOTE_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens
    monkeypatch.setenv("SCRIBE_EVAL_NOTE_MODEL", "any")
    settings = EmulatorSettings(data_dir=tmp_path / "d", asr_engine="instant", note_engine="openai")
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://emu.test/v2/") as http:
        iid = await _interaction(http)
        payload = {"context": CONTEXT, "outputLanguage": "en", "templateKey": "corti-soap"}
        body = _error(await http.post(f"interactions/{iid}/documents/", json=payload), 500)
        assert "note engine" in body["detail"]
        assert (await http.get(f"interactions/{iid}/documents/")).json() == {"data": []}
