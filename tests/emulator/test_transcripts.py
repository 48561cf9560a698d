"""Transcripts: sync and async (202 + Location + polling), channels and roles, silence, failures."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
import soundfile as sf
from fastapi import FastAPI

from scribe_eval.api import CreateDocumentRequest, CreateTranscriptRequest
from scribe_eval.client import AmbientClient, PollPolicy
from scribe_eval.emulator import EmulatorSettings, FaultSettings, create_app
from scribe_eval.emulator._routes_documents import _note_request
from scribe_eval.emulator.engines import AsrSegment, DecodedAudio, InstantEngine
from scribe_eval.errors import TranscriptFailedError

BASE = "http://emulator.test/v2"
FAST_POLL = PollPolicy(initial_interval=0.02, factor=1.0, max_interval=0.05, deadline=20.0)
ROLES = [{"channel": 0, "role": "doctor"}, {"channel": 1, "role": "patient"}]


def wav(seconds: float, channels: int = 1, *, silent: bool = False) -> bytes:
    t = np.arange(int(16_000 * seconds)) / 16_000
    rows = [np.zeros_like(t) if silent else 0.3 * np.sin(2 * np.pi * (300 + 200 * c) * t)
            for c in range(channels)]  # fmt: skip
    buffer = io.BytesIO()
    sf.write(buffer, np.stack(rows, axis=1), 16_000, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _settings(tmp_path: Path, **changes: Any) -> EmulatorSettings:
    return EmulatorSettings(
        data_dir=tmp_path / "data", asr_engine="instant", async_threshold_s=10.0, **changes
    )


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(_settings(tmp_path))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AmbientClient]:
    transport = httpx.ASGITransport(app=app)
    async with AmbientClient(BASE, transport=transport, poll=FAST_POLL) as c:
        yield c


async def _upload(client: AmbientClient, audio: bytes) -> tuple[str, str]:
    body = {"encounter": {"identifier": "e", "status": "planned", "type": "consultation"}}
    iid = (await client.create_interaction(_model(body))).interaction_id
    return iid, (await client.upload_recording(iid, audio)).recording_id


def _model(body: dict[str, Any]) -> Any:
    from scribe_eval.api import CreateInteractionRequest

    return CreateInteractionRequest.model_validate(body)


def _request(rid: str, **fields: Any) -> CreateTranscriptRequest:
    return CreateTranscriptRequest.model_validate(
        {"recordingId": rid, "primaryLanguage": "en", **fields}
    )


@pytest.mark.parametrize(
    ("seconds", "fields", "status"),
    [
        pytest.param(4.0, {}, 201, id="short-sync"),
        pytest.param(4.0, {"async": True}, 202, id="asked-async"),
        pytest.param(12.0, {}, 202, id="longer-than-threshold"),
    ],
)
async def test_sync_or_async_answer(
    app: FastAPI, client: AmbientClient, seconds: float, fields: dict[str, Any], status: int
) -> None:
    iid, rid = await _upload(client, wav(seconds))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=BASE + "/") as http:
        answer = await http.post(
            f"interactions/{iid}/transcripts/", json={"recordingId": rid, "primaryLanguage": "en",
                                                      **fields})  # fmt: skip
    assert answer.status_code == status
    body = answer.json()
    if status == 202:
        assert answer.headers["Location"] == f"/v2/interactions/{iid}/transcripts/{body['id']}"
        assert body["status"] == "processing"
        assert body["transcripts"] == []
        done = await client.wait_for_transcript(iid, body["id"])
    else:
        assert "Location" not in answer.headers
        done = await client.get_transcript(iid, body["id"])
    assert done.status == "completed"
    assert len(done.segments) == max(1, round(seconds / 4))
    assert (await client.get_transcript_status(iid, done.id)).status == "completed"


async def test_multichannel_segments_carry_channel_participant_and_roles(
    app: FastAPI, client: AmbientClient
) -> None:
    iid, rid = await _upload(client, wav(8.0, channels=2))
    done = await client.transcribe(
        iid, _request(rid, isMultichannel=True, participants=ROLES)
    )  # fmt: skip
    assert done.roles_by_channel() == {0: "doctor", 1: "patient"}
    assert [s.channel for s in done.segments] == [0, 1]
    assert [s.participant for s in done.segments] == [0, 1]
    context = [{"type": "transcript", "data": {"text": s.text, "channel": s.channel}}
               for s in done.segments]  # fmt: skip
    request = CreateDocumentRequest.model_validate(
        {"context": context, "outputLanguage": "en", "templateKey": "corti-soap"}
    )
    state = app.state.emulator
    note = _note_request(state, iid, request, state.catalogue.resolve(request))
    assert [s.role for s in note.segments] == ["doctor", "patient"]
    document = await client.create_document(iid, request)
    assert document.sections


async def test_stereo_without_multichannel_is_mixed_down(client: AmbientClient) -> None:
    iid, rid = await _upload(client, wav(8.0, channels=2))
    done = await client.transcribe(iid, _request(rid))
    assert len(done.segments) == 2
    assert {s.channel for s in done.segments} == {0}


async def test_silent_audio_completes_with_no_segments(client: AmbientClient) -> None:
    iid, rid = await _upload(client, wav(3.0, silent=True))
    done = await client.transcribe(iid, _request(rid))
    assert done.status == "completed"
    assert done.segments == []


async def test_replacements_and_punctuation_options(client: AmbientClient) -> None:
    iid, rid = await _upload(client, wav(4.0))
    plain = await client.transcribe(iid, _request(rid))
    word = plain.segments[0].text.split()[1].strip(".,?")
    changed = await client.transcribe(
        iid, _request(rid, replacements=[{"find": word.upper(), "replace": "<X>"}],
                      automaticPunctuation=False)
    )  # fmt: skip
    assert "<X>" in changed.segments[0].text
    assert not any(mark in changed.segments[0].text for mark in ".,?")


async def test_injected_failure_ends_failed(tmp_path: Path) -> None:
    app = create_app(_settings(tmp_path, faults=FaultSettings(p_transcript_failed=1.0)))
    transport = httpx.ASGITransport(app=app)
    async with AmbientClient(BASE, transport=transport, poll=FAST_POLL) as client:
        iid, rid = await _upload(client, wav(2.0))
        with pytest.raises(TranscriptFailedError):
            await client.transcribe(iid, _request(rid))
        [summary] = await client.list_transcripts(iid)
        assert (await client.get_transcript_status(iid, summary.id)).status == "failed"
    stats = app.state.emulator.faults.snapshot()
    assert stats["faults"] == {"transcript_failed": 1}


async def test_delete_transcript(client: AmbientClient) -> None:
    iid, rid = await _upload(client, wav(2.0))
    done = await client.transcribe(iid, _request(rid))
    await client.delete_transcript(iid, done.id)
    assert await client.list_transcripts(iid) == []


class RecordingEngine(InstantEngine):
    """The instant engine, remembering what the server asked of it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[dict[str, Any]] = []

    def transcribe(
        self,
        audio: DecodedAudio,
        *,
        language: str,
        keyterms: Sequence[str] = (),
        multichannel: bool = False,
        diarize: bool = False,
    ) -> list[AsrSegment]:
        self.calls.append({"channels": audio.channels, "language": language,
                           "keyterms": list(keyterms), "multichannel": multichannel,
                           "diarize": diarize})  # fmt: skip
        return super().transcribe(
            audio, language=language, keyterms=keyterms, multichannel=multichannel,
            diarize=diarize,
        )  # fmt: skip


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        pytest.param({}, {"channels": 1, "multichannel": False}, id="stereo-mixed-down"),
        pytest.param(
            {"isMultichannel": True}, {"channels": 2, "multichannel": True}, id="stereo-per-channel"
        ),
        pytest.param(
            {"diarize": True, "primaryLanguage": "en-GB"},
            {"diarize": True, "language": "en-GB"},
            id="diarize-and-language",
        ),
        pytest.param(
            {"keyterms": {"terms": [{"term": "metoprolol"}, {"term": "lisinopril"}]}},
            {"keyterms": ["metoprolol", "lisinopril"]},
            id="keyterms",
        ),
    ],
)
async def test_what_the_engine_is_asked(
    tmp_path: Path, fields: dict[str, Any], expected: dict[str, Any]
) -> None:
    engine = RecordingEngine()
    app = create_app(_settings(tmp_path), asr=engine)
    async with AmbientClient(BASE, transport=httpx.ASGITransport(app=app)) as client:
        iid, rid = await _upload(client, wav(4.0, channels=2))
        await client.transcribe(iid, _request(rid, **fields))
    [call] = engine.calls
    assert {key: call[key] for key in expected} == expected


async def test_an_upload_is_decoded_once_and_its_transcripts_match(
    app: FastAPI, client: AmbientClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first transcript of a recording uses the audio its upload decoded; a second one
    decodes the file again; both read the same audio. A deleted recording is forgotten."""
    import scribe_eval.emulator._routes_interactions as uploads
    import scribe_eval.emulator._worker as worker

    decoded: list[str] = []

    def counting(path: Any) -> DecodedAudio:
        decoded.append(Path(path).name)
        return real(path)

    from scribe_eval.emulator.engines import decode_audio as real

    monkeypatch.setattr(worker, "decode_audio", counting)
    monkeypatch.setattr(uploads, "decode_audio", counting)
    cache = app.state.emulator.worker.decoded
    iid, rid = await _upload(client, wav(8.0, channels=2))
    assert (len(decoded), len(cache)) == (1, 1)  # the upload's decode, kept
    first = await client.transcribe(iid, _request(rid))
    assert (len(decoded), len(cache)) == (1, 0)  # taken, not decoded again
    second = await client.transcribe(iid, _request(rid))
    assert len(decoded) == 2  # from the file, as before
    assert first.segments == second.segments
    iid2, rid2 = await _upload(client, wav(4.0))
    assert len(cache) == 1
    await client.delete_recording(iid2, rid2)
    assert len(cache) == 0
    await _upload(client, wav(4.0))
    await client.delete_interaction(iid)  # another interaction's audio stays
    assert len(cache) == 1


def test_kept_audio_is_bounded_oldest_out() -> None:
    from scribe_eval.emulator._worker import DecodedRecordings

    one = DecodedAudio.from_array(np.zeros(1000, dtype=np.float32))  # 4,000 bytes
    kept = DecodedRecordings(max_bytes=10_000)
    for rid in ("a", "b", "c"):
        kept.put("i", rid, one)
    assert len(kept) == 2
    assert kept.take("a") is None  # pushed out by c
    assert kept.take("c") is one
    kept.put("i", "big", DecodedAudio.from_array(np.zeros(3000, dtype=np.float32)))
    assert kept.take("big") is None  # larger than the bound: never kept
    assert kept.take("b") is one
    assert len(kept) == 0
