"""Real speech through the API: whisper-tiny.en on the committed clips, scored with WER."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jiwer
import pytest
from fastapi import FastAPI

from scribe_eval.api import CreateInteractionRequest, CreateTranscriptRequest
from scribe_eval.client import AmbientClient
from scribe_eval.emulator import EmulatorSettings, create_app

pytestmark = pytest.mark.slow

CLIPS = Path(__file__).resolve().parents[1] / "fixtures" / "audio"
TEXTS = json.loads((CLIPS / "clips.json").read_text(encoding="utf-8"))


def _wer(reference: str, hypothesis: str) -> float:
    return float(jiwer.wer(_normalise(reference), _normalise(hypothesis)))


def _normalise(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s']", " ", text.lower()).split())


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    data = tmp_path_factory.mktemp("speech")
    return create_app(EmulatorSettings(data_dir=data, asr_engine="whisper-tiny.en"))


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[AmbientClient]:
    async with AmbientClient("http://emu.test/v2", transport=httpx.ASGITransport(app=app)) as c:
        yield c


async def _transcribe(client: AmbientClient, clip: str, **fields: object) -> object:
    body = {"encounter": {"identifier": clip, "status": "planned", "type": "consultation"}}
    iid = await client.create_interaction(CreateInteractionRequest.model_validate(body))
    rid = (await client.upload_recording(iid.interaction_id, CLIPS / clip)).recording_id
    request = CreateTranscriptRequest.model_validate(
        {"recordingId": rid, "primaryLanguage": "en", **fields}
    )
    return await client.transcribe(iid.interaction_id, request)


async def test_two_channel_dialogue_is_attributed_per_channel(client: AmbientClient) -> None:
    roles = [{"channel": 0, "role": "doctor"}, {"channel": 1, "role": "patient"}]
    transcript = await _transcribe(
        client, "dialogue_stereo.ogg", isMultichannel=True, participants=roles
    )
    from scribe_eval.api import Transcript

    assert isinstance(transcript, Transcript)
    assert transcript.roles_by_channel() == {0: "doctor", 1: "patient"}
    expected = TEXTS["dialogue_stereo.ogg"]["channels"]
    for channel in (0, 1):
        heard = " ".join(s.text for s in transcript.segments if s.channel == channel)
        # tiny.en is the fast test model (about 13% WER on such clips); attribution is the point:
        # each channel's text matches its own speaker's lines and not the other's.
        assert _wer(expected[str(channel)], heard) < 0.35, (channel, heard)
        assert _wer(expected[str(1 - channel)], heard) > 0.7, (channel, heard)
        assert all(s.participant == channel for s in transcript.segments if s.channel == channel)
    starts = [s.start or 0 for s in transcript.segments]
    assert starts == sorted(starts)
    assert all((s.end or 0) > (s.start or 0) for s in transcript.segments)
