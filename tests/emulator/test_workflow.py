"""The whole workflow through the real client against the emulator in-process (ASGI transport)."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

from scribe_eval.api import (
    CreateDocumentRequest,
    CreateInteractionRequest,
    CreateTranscriptRequest,
    UpdateDocumentRequest,
    UpdateInteractionRequest,
)
from scribe_eval.client import AmbientClient
from scribe_eval.emulator import EmulatorSettings, create_app
from scribe_eval.errors import NotFoundError

BASE = "http://emulator.test/v2"


def wav(seconds: float = 8.0, channels: int = 1, *, silent: bool = False) -> bytes:
    """A 16 kHz PCM WAV: a tone per channel (a different pitch each), or silence."""
    t = np.arange(int(16_000 * seconds)) / 16_000
    rows = [0.0 * t if silent else 0.3 * np.sin(2 * np.pi * (300 + 200 * c) * t)
            for c in range(channels)]  # fmt: skip
    buffer = io.BytesIO()
    sf.write(buffer, np.stack(rows, axis=1), 16_000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def interaction(identifier: str = "visit-1") -> CreateInteractionRequest:
    return CreateInteractionRequest.model_validate(
        {"encounter": {"identifier": identifier, "status": "in-progress", "type": "consultation"},
         "patient": {"identifier": "p-1", "name": "Test Patient"}}
    )  # fmt: skip


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(EmulatorSettings(data_dir=tmp_path / "data", asr_engine="instant"))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AmbientClient]:
    async with AmbientClient(BASE, transport=httpx.ASGITransport(app=app)) as c:
        yield c


async def test_interaction_crud(client: AmbientClient) -> None:
    created = await client.create_interaction(interaction())
    assert created.websocket_url
    assert created.interaction_id in created.websocket_url
    fetched = await client.get_interaction(created.interaction_id)
    assert fetched.encounter is not None
    assert fetched.encounter.identifier == "visit-1"
    assert fetched.patient is not None
    assert fetched.patient.name == "Test Patient"
    patch = UpdateInteractionRequest.model_validate(
        {"encounter": {"identifier": "visit-1", "status": "completed", "type": "consultation",
                       "period": {"startedAt": "2026-01-01T10:00:00Z",
                                  "endedAt": "2026-01-01T10:20:00Z"}}}
    )  # fmt: skip
    updated = await client.update_interaction(created.interaction_id, patch)
    assert updated.encounter is not None
    assert updated.encounter.status == "completed"
    assert updated.ended_at is not None
    assert updated.patient is not None
    await client.delete_interaction(created.interaction_id)
    with pytest.raises(NotFoundError):
        await client.get_interaction(created.interaction_id)


async def test_interaction_paging_and_filters(client: AmbientClient) -> None:
    ids = [(await client.create_interaction(interaction(f"v{i}"))).interaction_id for i in range(5)]
    first = await client.list_interactions(page_size=2, index=1, sort="createdAt", direction="asc")
    third = await client.list_interactions(page_size=2, index=3, sort="createdAt", direction="asc")
    empty = await client.list_interactions(page_size=2, index=4)
    assert [i.id for i in first] == ids[:2]
    assert [i.id for i in third] == ids[4:]
    assert empty == []
    assert len(await client.list_interactions(encounter_status="in-progress", page_size=10)) == 5
    assert await client.list_interactions(encounter_status="completed") == []
    assert await client.list_interactions(patient="someone-else") == []
    assert (await client.find_interaction("v3")) is not None


async def test_recording_upload_list_download_delete(client: AmbientClient) -> None:
    iid = (await client.create_interaction(interaction())).interaction_id
    audio = wav(2.0)
    rid = (await client.upload_recording(iid, audio, "audio/x-anything")).recording_id
    assert await client.list_recordings(iid) == [rid]
    assert await client.get_recording(iid, rid) == audio
    await client.delete_recording(iid, rid)
    assert await client.list_recordings(iid) == []
    with pytest.raises(NotFoundError):
        await client.get_recording(iid, rid)


async def test_transcript_then_two_documents(client: AmbientClient) -> None:
    iid = (await client.create_interaction(interaction())).interaction_id
    rid = (await client.upload_recording(iid, wav(8.0))).recording_id
    request = CreateTranscriptRequest.model_validate(
        {"recordingId": rid, "primaryLanguage": "en",
         "replacements": [{"find": "throat", "replace": "THROAT"}]}
    )  # fmt: skip
    transcript = await client.transcribe(iid, request)
    assert transcript.status == "completed"
    assert transcript.recording_id == rid
    assert len(transcript.segments) == 2  # the instant engine: one line per 4 s
    assert [s.start for s in transcript.segments] == sorted(
        s.start or 0 for s in transcript.segments
    )
    assert any("THROAT" in s.text for s in transcript.segments)
    listed = await client.list_transcripts(iid)
    assert [t.id for t in listed] == [transcript.id]
    assert listed[0].transcript is None
    assert listed[0].transcript_sample == " ".join(s.text for s in transcript.segments)
    [full] = await client.list_transcripts(iid, full=True)
    assert full.transcript == transcript
    context = [{"type": "transcript", "data": {"text": s.text, "start": s.start, "end": s.end}}
               for s in transcript.segments]  # fmt: skip
    soap = await client.create_document(
        iid, CreateDocumentRequest.model_validate(
            {"context": context, "outputLanguage": "en", "templateKey": "corti-soap"})
    )  # fmt: skip
    assert soap.template_ref == "corti-soap"
    assert [s.key for s in soap.ordered_sections()] == [
        "corti-subjective", "corti-objective", "corti-assessment", "corti-plan"]  # fmt: skip
    assert [s.sort for s in soap.sections] == [1, 2, 3, 4]
    inline = await client.create_document(
        iid, CreateDocumentRequest.model_validate(
            {"context": context, "outputLanguage": "de", "name": "inline",
             "template": {"sections": [
                 {"key": "corti-plan", "nameOverride": "Weiteres Vorgehen"},
                 {"key": "corti-hpi"}]}})
    )  # fmt: skip
    assert inline.template_ref is None
    assert inline.name == "inline"
    assert [s.key for s in inline.sections] == ["corti-plan", "corti-hpi"]
    assert inline.sections[0].name == "Weiteres Vorgehen"
    assert {d.id for d in await client.list_documents(iid)} == {soap.id, inline.id}
    edited = await client.update_document(
        iid, soap.id, UpdateDocumentRequest.model_validate(
            {"name": "edited", "sections": [{"key": "corti-plan", "text": "Rest."}]})
    )  # fmt: skip
    assert edited.name == "edited"
    assert {s.key: s.text for s in edited.sections}["corti-plan"] == "Rest."
    assert (await client.get_document(iid, soap.id)).name == "edited"
    await client.delete_document(iid, soap.id)
    assert [d.id for d in await client.list_documents(iid)] == [inline.id]


async def test_catalogue_languages_and_health(client: AmbientClient) -> None:
    keys = {t.key for t in await client.list_templates(lang="de")}
    assert {"corti-soap", "corti-brief-clinical-note", "corti-h-and-p"} <= keys
    soap = await client.get_template("corti-soap")
    assert soap.section_keys()[0] == "corti-subjective"
    with pytest.raises(NotFoundError):
        await client.get_template("no-such-template")
    sections = {s.key for s in await client.list_template_sections(lang="fr")}
    assert "corti-hpi" in sections
    assert "en" in await client.list_languages()
    assert "gsw-CH" in await client.list_languages()
    health = await client.health()
    assert health.status == "ok"
    assert health.engines["asr"]["engine"] == "instant"
    assert "notes" in health.engines


async def test_openapi_lists_every_contract_path(app: FastAPI) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as http:
        paths = (await http.get("openapi.json")).json()["paths"]
    expected = {
        "/v2/interactions/", "/v2/interactions/{interaction_id}",
        "/v2/interactions/{interaction_id}/recordings/",
        "/v2/interactions/{interaction_id}/recordings/{recording_id}",
        "/v2/interactions/{interaction_id}/transcripts/",
        "/v2/interactions/{interaction_id}/transcripts/{transcript_id}",
        "/v2/interactions/{interaction_id}/transcripts/{transcript_id}/status",
        "/v2/interactions/{interaction_id}/documents/",
        "/v2/interactions/{interaction_id}/documents/{document_id}",
        "/v2/templates/", "/v2/templates/{key}", "/v2/templateSections/", "/v2/health",
        "/v2/languages/", "/auth/realms/{tenant}/protocol/openid-connect/token",
    }  # fmt: skip
    assert expected <= set(paths)
