"""Each client method calls its endpoint (method, path, query, body) and parses the answer."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from scribe_eval.api import (
    CreateDocumentRequest,
    CreateInteractionRequest,
    DocumentSectionUpdate,
    EncounterSpec,
    PatientSpec,
    StringContext,
    UpdateDocumentRequest,
    UpdateInteractionRequest,
)
from scribe_eval.client import AmbientClient, ManualClock, NoAuth, ScriptedTransport
from scribe_eval.errors import AudioError

IID, RID, TID, DID = "i-1", "r-1", "t-1", "d-1"
INTERACTION = {"id": IID, "encounter": {"identifier": "e", "status": "planned", "type": "x"}}
TEMPLATE = {"key": "corti-soap", "name": "SOAP", "templateSections": []}
DOC = {"id": DID, "name": "n", "sections": [{"key": "corti-plan", "text": "Rest."}]}
TRANSCRIPT = {"id": TID, "status": "completed", "transcripts": None, "metadata": None}
Call = Callable[[AmbientClient], Awaitable[Any]]


def _client(*answers: httpx.Response) -> tuple[AmbientClient, ScriptedTransport]:
    transport, clock = ScriptedTransport(answers), ManualClock()
    client = AmbientClient(
        "https://api.test/v2", auth=NoAuth(), transport=transport, sleep=clock.sleep, clock=clock
    )
    return client, transport


def _json(body: object, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body)


CASES = [
    pytest.param(
        lambda c: c.list_interactions(page_size=5, index=2, encounter_status="completed"),
        _json({"interactions": [INTERACTION]}),
        "GET", "/v2/interactions/?pageSize=5&index=2&encounterStatus=completed",
        lambda out: out[0].id == IID, id="list_interactions",
    ),
    pytest.param(
        lambda c: c.get_interaction(IID), _json(INTERACTION), "GET", f"/v2/interactions/{IID}",
        lambda out: out.encounter.identifier == "e", id="get_interaction",
    ),
    pytest.param(
        lambda c: c.update_interaction(
            IID, UpdateInteractionRequest(patient=PatientSpec(identifier="p-9"))
        ),
        _json(INTERACTION), "PATCH", f"/v2/interactions/{IID}",
        lambda out: out.id == IID, id="update_interaction",
    ),
    pytest.param(
        lambda c: c.delete_interaction(IID), httpx.Response(204), "DELETE",
        f"/v2/interactions/{IID}", lambda out: out is None, id="delete_interaction",
    ),
    pytest.param(
        lambda c: c.list_recordings(IID), _json({"recordings": [RID]}), "GET",
        f"/v2/interactions/{IID}/recordings/", lambda out: out == [RID], id="list_recordings",
    ),
    pytest.param(
        lambda c: c.get_recording(IID, RID), httpx.Response(200, content=b"RIFF"), "GET",
        f"/v2/interactions/{IID}/recordings/{RID}", lambda out: out == b"RIFF",
        id="get_recording",
    ),
    pytest.param(
        lambda c: c.delete_recording(IID, RID), httpx.Response(204), "DELETE",
        f"/v2/interactions/{IID}/recordings/{RID}", lambda out: out is None,
        id="delete_recording",
    ),
    pytest.param(
        lambda c: c.get_transcript_status(IID, TID), _json({"status": "processing"}), "GET",
        f"/v2/interactions/{IID}/transcripts/{TID}/status",
        lambda out: out.status == "processing", id="get_transcript_status",
    ),
    pytest.param(
        lambda c: c.get_transcript(IID, TID), _json(TRANSCRIPT), "GET",
        f"/v2/interactions/{IID}/transcripts/{TID}", lambda out: out.segments == [],
        id="get_transcript",
    ),
    pytest.param(
        lambda c: c.list_transcripts(IID, full=True),
        _json({"transcripts": [{"id": TID, "transcriptSample": "C", "transcript": TRANSCRIPT}]}),
        "GET", f"/v2/interactions/{IID}/transcripts/?full=true",
        lambda out: out[0].transcript.id == TID, id="list_transcripts",
    ),
    pytest.param(
        lambda c: c.delete_transcript(IID, TID), httpx.Response(204), "DELETE",
        f"/v2/interactions/{IID}/transcripts/{TID}", lambda out: out is None,
        id="delete_transcript",
    ),
    pytest.param(
        lambda c: c.list_templates(lang=["en", "de-CH"], org="corti", status="published"),
        _json({"data": [TEMPLATE]}), "GET",
        "/v2/templates/?lang=en&lang=de-CH&org=corti&status=published",
        lambda out: out[0].key == "corti-soap", id="list_templates",
    ),
    pytest.param(
        lambda c: c.get_template("corti soap/x"), _json(TEMPLATE), "GET",
        "/v2/templates/corti%20soap%2Fx", lambda out: out.name == "SOAP", id="get_template",
    ),
    pytest.param(
        lambda c: c.list_template_sections(lang="da"),
        _json({"data": [{"key": "corti-plan", "name": "Plan"}]}), "GET",
        "/v2/templateSections/?lang=da", lambda out: out[0].key == "corti-plan",
        id="list_template_sections",
    ),
    pytest.param(
        lambda c: c.list_documents(IID), _json({"data": [DOC]}), "GET",
        f"/v2/interactions/{IID}/documents/", lambda out: out[0].id == DID, id="list_documents",
    ),
    pytest.param(
        lambda c: c.get_document(IID, DID), _json(DOC), "GET",
        f"/v2/interactions/{IID}/documents/{DID}",
        lambda out: out.sections[0].text == "Rest.", id="get_document",
    ),
    pytest.param(
        lambda c: c.update_document(
            IID, DID, UpdateDocumentRequest(sections=[DocumentSectionUpdate(key="k", text="t")])
        ),
        _json(DOC), "PATCH", f"/v2/interactions/{IID}/documents/{DID}",
        lambda out: out.id == DID, id="update_document",
    ),
    pytest.param(
        lambda c: c.delete_document(IID, DID), httpx.Response(204), "DELETE",
        f"/v2/interactions/{IID}/documents/{DID}", lambda out: out is None,
        id="delete_document",
    ),
    pytest.param(
        lambda c: c.list_languages(), _json({"data": [{"code": "en"}, {"id": "de-CH"}]}), "GET",
        "/v2/languages/?endpoint=transcripts", lambda out: out == ["en", "de-CH"],
        id="list_languages",
    ),
    pytest.param(
        lambda c: c.health(), _json({"status": "ok", "engines": {"asr": "x"}, "version": "1"}),
        "GET", "/v2/health", lambda out: out.status == "ok", id="health",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("call", "answer", "method", "target", "check"), CASES)
async def test_method_hits_its_endpoint(
    call: Call, answer: httpx.Response, method: str, target: str, check: Callable[[Any], bool]
) -> None:
    client, transport = _client(answer)
    out = await call(client)
    sent = transport.requests[0]
    assert sent.method == method
    assert sent.url.raw_path.decode() == target
    assert check(out)


async def test_patch_sends_only_the_given_fields_in_camel_case() -> None:
    client, transport = _client(_json(INTERACTION))
    spec = EncounterSpec(identifier="e", status="completed", type="inpatient", title="T")
    await client.update_interaction(IID, UpdateInteractionRequest(encounter=spec))
    assert json.loads(transport.requests[0].content) == {
        "encounter": {"identifier": "e", "status": "completed", "type": "inpatient", "title": "T"}
    }


async def test_upload_bytes_sends_the_raw_body() -> None:
    client, transport = _client(_json({"recordingId": RID}, 201))
    created = await client.upload_recording(IID, b"RIFF....WAVE", "audio/wav")
    sent = transport.requests[0]
    assert created.recording_id == RID
    assert (sent.method, sent.url.path) == ("POST", f"/v2/interactions/{IID}/recordings/")
    assert sent.content == b"RIFF....WAVE"
    assert sent.headers["Content-Type"] == "audio/wav"
    assert sent.headers["Content-Length"] == "12"


async def test_upload_path_streams_the_file_and_is_retried_whole(tmp_path: Path) -> None:
    audio = tmp_path / "visit.flac"
    audio.write_bytes(b"fLaC" + bytes(range(256)) * 5000)
    client, transport = _client(httpx.Response(503), _json({"recordingId": RID}, 201))
    await client.upload_recording(IID, audio)
    assert [r.content for r in transport.requests] == [audio.read_bytes()] * 2
    assert transport.requests[1].headers["Content-Type"] == "audio/flac"
    assert transport.requests[1].headers["Content-Length"] == str(audio.stat().st_size)


async def test_upload_async_iterator_is_sent_once() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"OggS"
        yield b"rest"

    client, transport = _client(_json({"recordingId": RID}, 201))
    await client.upload_recording(IID, chunks())
    assert transport.requests[0].content == b"OggSrest"
    assert transport.requests[0].headers["Content-Type"] == "application/octet-stream"


async def test_upload_of_a_missing_file_names_it(tmp_path: Path) -> None:
    client, _ = _client()
    with pytest.raises(AudioError, match=r"missing\.wav"):
        await client.upload_recording(IID, tmp_path / "missing.wav")


@pytest.mark.parametrize(
    ("ask", "header", "acknowledged"),
    [
        pytest.param(True, "acknowledged", True, id="acknowledged"),
        pytest.param(True, None, False, id="ignored-by-server"),
        pytest.param(False, None, False, id="not-asked"),
    ],
)
async def test_create_document_retention_header(
    ask: bool, header: str | None, acknowledged: bool
) -> None:
    headers = {"X-Corti-Retention-Policy": header} if header else {}
    client, transport = _client(httpx.Response(201, json=DOC, headers=headers))
    body = CreateDocumentRequest(
        context=[StringContext(type="string", data="free text")],
        output_language="en",
        template_key="corti-soap",
    )
    document = await client.create_document(IID, body, no_retention=ask)
    sent = transport.requests[0]
    assert sent.headers.get("X-Corti-Retention-Policy") == ("none" if ask else None)
    assert json.loads(sent.content)["templateKey"] == "corti-soap"
    assert document.retention_acknowledged is acknowledged
    assert "retentionAcknowledged" not in document.to_wire()


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(["en", "da"], id="bare-list"),
        pytest.param({"languages": ["en", "da"]}, id="languages-key"),
        pytest.param({"data": [{"languageId": "en"}, {"code": "da"}]}, id="objects"),
    ],
)
async def test_list_languages_reads_every_reasonable_shape(body: object) -> None:
    client, _ = _client(_json(body))
    assert await client.list_languages() == ["en", "da"]


async def test_iter_interactions_pages_until_an_empty_page() -> None:
    pages = [[INTERACTION, {**INTERACTION, "id": "i-2"}], [{**INTERACTION, "id": "i-3"}], []]
    client, transport = _client(*(_json({"interactions": p}) for p in pages))
    ids = [item.id async for item in client.iter_interactions(page_size=2)]
    assert ids == [IID, "i-2", "i-3"]
    assert [r.url.params["index"] for r in transport.requests] == ["1", "2", "3"]


async def test_iter_interactions_stops_when_the_server_ignores_the_index() -> None:
    client, transport = _client(*(_json({"interactions": [INTERACTION]}) for _ in range(2)))
    assert [item.id async for item in client.iter_interactions()] == [IID]
    assert len(transport.requests) == 2


async def test_create_interaction_reads_the_legacy_answer() -> None:
    client, transport = _client(_json({"id": IID, "wssUrl": "wss://legacy"}, 201))
    created = await client.create_interaction(
        CreateInteractionRequest(
            encounter=EncounterSpec(identifier="cell", status="planned", type="consultation")
        )
    )
    assert (created.interaction_id, created.websocket_url) == (IID, "wss://legacy")
    assert json.loads(transport.requests[0].content)["encounter"]["identifier"] == "cell"


async def test_the_counter_counts_each_request_per_path_template() -> None:
    client, _ = _client(_json(INTERACTION), _json(INTERACTION), httpx.Response(204))
    await client.get_interaction(IID)
    await client.get_interaction(str(uuid.uuid4()))
    await client.delete_interaction(IID)
    assert client.calls.as_dict() == {"DELETE /interactions/{id}": 1, "GET /interactions/{id}": 2}
    assert client.calls.total == 3


async def test_async_with_closes_the_http_client() -> None:
    async with AmbientClient("https://api.test/v2", transport=ScriptedTransport()) as client:
        assert not client._client.is_closed
    assert client._client.is_closed
