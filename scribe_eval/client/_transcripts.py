"""Transcripts (contract section 4): 201 when done, 202 + ``Location`` and polling otherwise."""

from __future__ import annotations

import json

import httpx

from scribe_eval.api import (
    CreateTranscriptRequest,
    Transcript,
    TranscriptList,
    TranscriptStatusAnswer,
    TranscriptSummary,
)
from scribe_eval.client._base import ClientBase, params, request
from scribe_eval.errors import TranscriptFailedError

_ONE = "/interactions/{id}/transcripts/{tid}"


class TranscriptsMixin(ClientBase):
    """``/interactions/{id}/transcripts/``."""

    async def create_transcript(
        self, interaction_id: str, body: CreateTranscriptRequest, *, one_per_recording: bool = False
    ) -> Transcript:
        """Ask for a transcript: the finished one (201) or a ``processing`` one (202).

        On 202 the transcript id comes from the body or, failing that, from ``Location``; pass it
        to ``wait_for_transcript``, or call ``transcribe`` to do both.

        Duplicate guard, with ``one_per_recording`` (the caller makes at most one transcript of
        the recording in this interaction, as the runner does): when the POST fails in a way that
        may have succeeded on the server (a read time-out, a dropped connection, 500/502/504),
        the client looks for a transcript of that recording (``find_transcript``) and returns it
        instead of posting again. Without it such a POST is retried like any other call.
        """
        req = request(
            "POST", "/interactions/{id}/transcripts/", {"id": interaction_id},
            json=body.to_wire(), idempotent=not one_per_recording,
        )  # fmt: skip
        if not one_per_recording:
            return await self._http.call(req, _created_transcript)
        return await self._http.call(
            req,
            _created_transcript,
            lambda: self.find_transcript(interaction_id, str(body.recording_id)),
        )

    async def find_transcript(self, interaction_id: str, recording_id: str) -> Transcript | None:
        """The interaction's newest transcript of ``recording_id`` that has not failed, else None.

        Its ``status`` may be ``processing``: pass its id to ``wait_for_transcript``. Listed
        entries that carry no recording id are taken to be of that recording.
        """
        found: Transcript | None = None
        for summary in await self.list_transcripts(interaction_id, full=True):
            whole = summary.transcript or Transcript(id=summary.id, status="processing")
            if whole.recording_id not in (None, recording_id) or whole.status == "failed":
                continue
            found = whole.model_copy(update={"id": summary.id})
        return found

    async def get_transcript_status(
        self, interaction_id: str, transcript_id: str
    ) -> TranscriptStatusAnswer:
        """The status of a transcript: ``processing``, ``completed`` or ``failed``."""
        ids = {"id": interaction_id, "tid": transcript_id}
        return await self._model(TranscriptStatusAnswer, request("GET", _ONE + "/status", ids))

    async def wait_for_transcript(
        self, interaction_id: str, transcript_id: str, *, deadline: float | None = None
    ) -> Transcript:
        """Poll the status with growing waits until ``completed``, then fetch the transcript.

        Raises:
            TranscriptFailedError: The status went ``failed``, or stayed ``processing`` past
                ``deadline`` seconds (default: the client's ``PollPolicy.deadline``).
        """
        limit = self.poll.deadline if deadline is None else deadline
        started, polls = self._clock(), 0
        while True:
            answer = await self.get_transcript_status(interaction_id, transcript_id)
            if answer.status == "completed":
                transcript = await self.get_transcript(interaction_id, transcript_id)
                return _finished(interaction_id, transcript)
            if answer.status == "failed":
                raise _failed(interaction_id, transcript_id)
            polls += 1
            elapsed = self._clock() - started
            if elapsed >= limit:
                raise TranscriptFailedError(
                    f"transcript {transcript_id} of interaction {interaction_id} was still "
                    f"processing after {elapsed:.0f} s ({polls} status calls). Fix: raise "
                    f"SCRIBE_EVAL_POLL_DEADLINE (now {limit:g} s) or send shorter audio"
                )
            await self._sleep(min(self.poll.interval(polls), limit - elapsed))

    async def transcribe(
        self, interaction_id: str, body: CreateTranscriptRequest, *, deadline: float | None = None
    ) -> Transcript:
        """Create a transcript and wait until it is finished: the usual way to get one."""
        created = await self.create_transcript(interaction_id, body)
        if created.status == "processing":
            return await self.wait_for_transcript(interaction_id, created.id, deadline=deadline)
        return _finished(interaction_id, created)

    async def get_transcript(self, interaction_id: str, transcript_id: str) -> Transcript:
        """One transcript."""
        ids = {"id": interaction_id, "tid": transcript_id}
        return await self._model(Transcript, request("GET", _ONE, ids))

    async def list_transcripts(
        self, interaction_id: str, *, full: bool = False
    ) -> list[TranscriptSummary]:
        """The transcripts of an interaction; ``full=True`` includes each whole transcript."""
        req = request(
            "GET", "/interactions/{id}/transcripts/", {"id": interaction_id},
            params=params(full=True if full else None),
        )  # fmt: skip
        return (await self._model(TranscriptList, req)).transcripts

    async def delete_transcript(self, interaction_id: str, transcript_id: str) -> None:
        """Delete a transcript."""
        ids = {"id": interaction_id, "tid": transcript_id}
        await self._no_content(request("DELETE", _ONE, ids))


def _created_transcript(response: httpx.Response) -> Transcript:
    if response.status_code != 202:
        return Transcript.model_validate_json(response.content)
    body = json.loads(response.content) if response.content else {}
    if not isinstance(body, dict):
        raise ValueError("a 202 answer must carry a JSON object or nothing")
    location = response.headers.get("Location", "").split("?")[0].rstrip("/")
    if "id" not in body and location:
        body["id"] = location.rsplit("/", 1)[-1]
    if "id" not in body:
        raise ValueError("a 202 answer named no transcript (no id in the body, no Location)")
    body.setdefault("status", "processing")
    return Transcript.model_validate(body)


def _finished(interaction_id: str, transcript: Transcript) -> Transcript:
    if transcript.status == "failed":
        raise _failed(interaction_id, transcript.id)
    return transcript


def _failed(interaction_id: str, transcript_id: str) -> TranscriptFailedError:
    return TranscriptFailedError(
        f"transcript {transcript_id} of interaction {interaction_id} finished with status "
        "'failed'. Fix: check that the recording holds speech in the requested language"
    )
