"""Transcripts (contract section 4): synchronous 201, or 202 finished by the worker.

A request answers 202 with ``Location`` when it asks for ``async``, when its recording is longer
than ``async_threshold_s``, or when the fault plan picked it to fail (so the failure is seen where
a client meets it on the vendor: in the status it polls). Otherwise the route waits for the worker
and answers 201 with the whole transcript; a request the engine cannot serve (e.g. a language an
English-only engine lacks) answers 400 and leaves nothing stored.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from scribe_eval.api import (
    SUPPORTED_LANGUAGES,
    CreateTranscriptRequest,
    Transcript,
    TranscriptList,
    TranscriptStatusAnswer,
    is_supported_language,
)
from scribe_eval.emulator._problems import ApiProblem, raises
from scribe_eval.emulator._state import (
    EmulatorState,
    OwnInteraction,
    Tenant,
    add_route,
    emulator_state,
)
from scribe_eval.emulator._store import TranscriptRow
from scribe_eval.emulator._worker import FAULT_KEY

_SAMPLE_CHARS: Final = 200


def transcripts_router(state: EmulatorState) -> APIRouter:
    """Routes of ``/interactions/{id}/transcripts``."""
    router = APIRouter(tags=["transcripts"])

    @raises(
        {
            400: "the language is not supported, or the speech engine cannot serve the request",
            404: "the recording does not exist in this interaction",
            500: "the speech engine failed",
        }
    )
    async def create_transcript(
        tenant: Tenant, interaction: OwnInteraction, body: CreateTranscriptRequest
    ) -> Response:
        interaction_id = uuid.UUID(interaction.id)
        if not is_supported_language(body.primary_language):
            raise ApiProblem(
                400,
                f"unsupported primaryLanguage {body.primary_language!r}",
                validation_errors=[{"primaryLanguage": f"use one of {SUPPORTED_LANGUAGES}"}],
            )
        recording = state.recording(tenant, interaction_id, body.recording_id)
        fails = state.faults.transcript_fails()
        run_async = body.async_ or recording.duration_s > state.settings.async_threshold_s or fails
        row = _new_row(str(interaction_id), recording.id, body, fails=fails)
        state.store.put_transcript(row)
        if run_async:
            state.worker.submit(row.id)
            location = f"/v2/interactions/{interaction_id}/transcripts/{row.id}"
            return JSONResponse(row.body, status_code=202, headers={"Location": location})
        done = await state.worker.run(row.id)
        if done is None:
            raise ApiProblem(404, f"transcript {row.id} was deleted while it was processed")
        if done.status == "failed":
            state.store.delete_transcript(row.id)
            error = done.error or "the transcript could not be made"
            raise ApiProblem(500 if error.startswith("internal error") else 400, error)
        return JSONResponse(done.body, status_code=201)

    async def list_transcripts(interaction: OwnInteraction, full: bool = False) -> JSONResponse:
        rows = state.store.transcripts(interaction.id)
        return JSONResponse({"transcripts": [_summary(r, full=full) for r in rows]})

    async def get_transcript(row: OwnTranscript) -> JSONResponse:
        return JSONResponse(row.body)

    async def get_status(row: OwnTranscript) -> JSONResponse:
        return JSONResponse({"status": row.status})

    async def delete_transcript(row: OwnTranscript) -> Response:
        state.store.delete_transcript(row.id)
        return Response(status_code=204)

    base = "/interactions/{interaction_id}/transcripts"
    add_route(
        router,
        f"{base}/",
        create_transcript,
        methods=["POST"],
        status_code=201,
        response_model=Transcript,
        responses={202: {"model": Transcript}},
        summary="Transcribe a recording (201 at once, or 202 + Location)",
    )
    add_route(
        router,
        f"{base}/",
        list_transcripts,
        methods=["GET"],
        response_model=TranscriptList,
        summary="List transcripts",
    )
    add_route(
        router,
        f"{base}/{{transcript_id}}",
        get_transcript,
        methods=["GET"],
        response_model=Transcript,
        summary="Get a transcript",
    )
    add_route(
        router,
        f"{base}/{{transcript_id}}/status",
        get_status,
        methods=["GET"],
        response_model=TranscriptStatusAnswer,
        summary="Poll a transcript's status",
    )
    add_route(
        router,
        f"{base}/{{transcript_id}}",
        delete_transcript,
        methods=["DELETE"],
        status_code=204,
        summary="Delete a transcript",
    )
    return router


def _new_row(
    interaction_id: str, recording_id: str, body: CreateTranscriptRequest, *, fails: bool
) -> TranscriptRow:
    tid = str(uuid.uuid4())
    request: dict[str, Any] = body.model_dump(mode="json", by_alias=True, exclude_none=True)
    if fails:
        request[FAULT_KEY] = True
    roles = [p.to_wire() for p in body.participants] if body.participants else None
    wire = {
        "id": tid,
        "recordingId": recording_id,
        "status": "processing",
        "metadata": {"participantsRoles": roles},
        "transcripts": [],
    }
    return TranscriptRow(tid, interaction_id, recording_id, "processing", request, wire, None)


@raises({404: "the transcript does not exist in this interaction"})
async def own_transcript(
    request: Request, interaction: OwnInteraction, transcript_id: uuid.UUID
) -> TranscriptRow:
    """Dependency: a transcript of the tenant's interaction named in the path."""
    row = emulator_state(request).store.transcript(str(transcript_id))
    if row is None or row.interaction_id != interaction.id:
        raise ApiProblem(
            404, f"transcript {transcript_id} does not exist in interaction {interaction.id}"
        )
    return row


OwnTranscript = Annotated[TranscriptRow, Depends(own_transcript)]


def _summary(row: TranscriptRow, *, full: bool) -> dict[str, Any]:
    text = " ".join(str(s.get("text", "")) for s in row.body.get("transcripts") or [])
    summary: dict[str, Any] = {"id": row.id, "transcriptSample": text[:_SAMPLE_CHARS]}
    if full:
        summary["transcript"] = row.body
    return summary
