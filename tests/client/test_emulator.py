"""The client's policies against the real emulator in-process: its token endpoint, seeded faults
(429 with Retry-After, 500, 503) and 202 answers that must be polled."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest

from scribe_eval.api import (
    CreateDocumentRequest,
    CreateInteractionRequest,
    CreateTranscriptRequest,
    EncounterSpec,
    TranscriptContext,
    TranscriptContextData,
)
from scribe_eval.client import AmbientClient, ClientCredentialsAuth, PollPolicy, RetryPolicy
from scribe_eval.emulator import ClientCredential, EmulatorSettings, FaultSettings, create_app
from scribe_eval.errors import AuthenticationError

AUDIO = Path(__file__).resolve().parents[1] / "fixtures" / "audio" / "mono_en.flac"
TOKEN_URL = "http://emulator.test/auth/realms/acme/protocol/openid-connect/token"


def _emulator(tmp_path: Path, faults: FaultSettings) -> httpx.ASGITransport:
    settings = EmulatorSettings(
        data_dir=tmp_path / "data",
        asr_engine="instant",
        auth="client-credentials",
        clients={"acme": ClientCredential(client_id="scribe", client_secret="s3cret")},
        async_threshold_s=0.0,  # every transcript answers 202 and must be polled
        faults=faults,
    )
    return httpx.ASGITransport(app=create_app(settings))


def _client(transport: httpx.ASGITransport, secret: str = "s3cret") -> AmbientClient:
    return AmbientClient(
        "http://emulator.test/v2",
        auth=ClientCredentialsAuth(TOKEN_URL, "scribe", secret),
        tenant="acme",
        transport=transport,
        retry=RetryPolicy(max_attempts=8, initial_backoff=0.0),
        poll=PollPolicy(initial_interval=0.01, max_interval=0.05, deadline=30.0),
        sleep=lambda seconds: asyncio.sleep(0),
    )


async def test_whole_workflow_survives_seeded_faults(tmp_path: Path) -> None:
    faults = FaultSettings(p429=0.15, p500=0.1, p503=0.1, retry_after_s=0, seed=7)
    transport = _emulator(tmp_path, faults)
    async with _client(transport) as client:
        cell = f"cell-{uuid.uuid4()}"
        encounter = EncounterSpec(identifier=cell, status="planned", type="consultation")
        created = await client.create_interaction(CreateInteractionRequest(encounter=encounter))
        iid = created.interaction_id
        recording = await client.upload_recording(iid, AUDIO)
        request = CreateTranscriptRequest(
            recording_id=uuid.UUID(recording.recording_id), primary_language="en"
        )
        transcript = await client.transcribe(iid, request)
        assert transcript.status == "completed"
        assert "what brings you in" in transcript.text().lower()
        context = TranscriptContext(type="transcript", data=TranscriptContextData(text="x"))
        body = CreateDocumentRequest(
            context=[context], output_language="en", template_key="corti-soap", name=cell
        )
        document = await client.create_document(iid, body)
        assert [d.id for d in await client.list_documents(iid)] == [document.id]
        assert len([i async for i in client.iter_interactions() if i.id == iid]) == 1
        await client.delete_interaction(iid)
        counts = client.calls.as_dict()
    async with httpx.AsyncClient(transport=transport, base_url="http://emulator.test") as http:
        stats = (await http.get("/v2/_emulator/stats")).json()
    assert stats["faults"], "the seed should have injected faults"
    # The client counted exactly the API requests the server received (its token call aside).
    assert sum(n for call, n in counts.items() if "openid-connect" not in call) == stats["requests"]
    assert counts["POST /interactions/"] == stats["byEndpoint"]["POST /v2/interactions"]


async def test_wrong_secret_is_refused_by_the_token_endpoint(tmp_path: Path) -> None:
    async with _client(_emulator(tmp_path, FaultSettings()), secret="wrong") as client:
        with pytest.raises(AuthenticationError, match="token endpoint refused"):
            await client.list_interactions()
