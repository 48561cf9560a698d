"""Transcripts: 201 at once, or 202 + Location and polling until completed, failed or deadline."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest

from scribe_eval.api import CreateTranscriptRequest
from scribe_eval.client import AmbientClient, ManualClock, NoAuth, PollPolicy, ScriptedTransport
from scribe_eval.client._scripted import Answer
from scribe_eval.errors import APIError, TranscriptFailedError

IID = "4a1f0c52-0000-4000-8000-000000000000"
TID = "9d3c2b1a-0000-4000-8000-000000000000"
RID = uuid.UUID("1b2c3d4e-0000-4000-8000-000000000000")
BODY = CreateTranscriptRequest(recording_id=RID, primary_language="en")
POLL = PollPolicy(initial_interval=1.0, factor=2.0, max_interval=4.0, deadline=30.0)
DONE = {
    "id": TID,
    "recordingId": str(RID),
    "status": "completed",
    "transcripts": [{"channel": 0, "speakerId": 0, "text": "Cough.", "start": 0, "end": 900}],
}


def _client(*answers: Answer) -> tuple[AmbientClient, ScriptedTransport, ManualClock]:
    transport, clock = ScriptedTransport(answers), ManualClock()
    client = AmbientClient(
        "https://api.test/v2", auth=NoAuth(), transport=transport, sleep=clock.sleep,
        clock=clock, poll=POLL,
    )  # fmt: skip
    return client, transport, clock


def _accepted(body: dict[str, object] | None = None) -> httpx.Response:
    location = {"Location": f"/v2/interactions/{IID}/transcripts/{TID}"}
    if body is None:
        return httpx.Response(202, headers=location)
    return httpx.Response(202, json=body, headers=location)


def _status(value: str) -> httpx.Response:
    return httpx.Response(200, json={"status": value})


async def test_201_returns_the_finished_transcript_without_polling() -> None:
    client, transport, _ = _client(httpx.Response(201, json=DONE))
    transcript = await client.transcribe(IID, BODY)
    assert transcript.text() == "Cough."
    assert transcript.segments[0].end == 900
    sent = json.loads(transport.requests[0].content)
    assert sent["recordingId"] == str(RID)
    assert sent["primaryLanguage"] == "en"
    assert len(transport.requests) == 1


async def test_202_polls_with_back_off_until_completed_then_fetches() -> None:
    processing: dict[str, object] = {"id": TID, "status": "processing", "transcripts": []}
    answers = [_accepted(processing), *(_status("processing") for _ in range(4))]
    client, transport, clock = _client(
        *answers, _status("completed"), httpx.Response(200, json=DONE)
    )
    transcript = await client.transcribe(IID, BODY)
    assert transcript.status == "completed"
    assert transcript.id == TID
    assert clock.sleeps == [1.0, 2.0, 4.0, 4.0]
    assert transport.calls()[-2:] == [
        f"GET /v2/interactions/{IID}/transcripts/{TID}/status",
        f"GET /v2/interactions/{IID}/transcripts/{TID}",
    ]


async def test_202_without_a_body_takes_the_id_from_location() -> None:
    client, _, _ = _client(_accepted())
    created = await client.create_transcript(IID, BODY)
    assert (created.id, created.status, created.segments) == (TID, "processing", [])


async def test_202_naming_no_transcript_is_an_api_error() -> None:
    client, _, _ = _client(httpx.Response(202, json={"status": "processing"}))
    with pytest.raises(APIError, match="no Location"):
        await client.create_transcript(IID, BODY)


async def test_a_status_that_goes_failed_raises() -> None:
    client, transport, _ = _client(_accepted(), _status("processing"), _status("failed"))
    with pytest.raises(TranscriptFailedError, match=f"{TID} of interaction {IID}.*'failed'"):
        await client.transcribe(IID, BODY)
    assert len(transport.requests) == 3


async def test_a_deadline_that_expires_raises() -> None:
    client, transport, clock = _client(_accepted(), *(_status("processing") for _ in range(20)))
    with pytest.raises(TranscriptFailedError, match="still processing after 30 s"):
        await client.transcribe(IID, BODY)
    assert sum(clock.sleeps) == pytest.approx(30.0)
    assert clock.sleeps == [1.0, 2.0, 4.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.0]
    assert len(transport.requests) == 1 + 10


async def test_wait_for_transcript_takes_its_own_deadline() -> None:
    client, _, clock = _client(_status("processing"), _status("processing"))
    with pytest.raises(TranscriptFailedError, match="SCRIBE_EVAL_POLL_DEADLINE"):
        await client.wait_for_transcript(IID, TID, deadline=1.0)
    assert clock.sleeps == [1.0]


async def test_a_201_transcript_that_failed_raises() -> None:
    client, _, _ = _client(httpx.Response(201, json={**DONE, "status": "failed"}))
    with pytest.raises(TranscriptFailedError):
        await client.transcribe(IID, BODY)
