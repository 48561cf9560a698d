"""Interactions and recordings (contract sections 2 and 3).

Uploads are streamed to a file under the data dir and refused with 413 as soon as they pass the
size limit, before the rest of the body is read. The format is sniffed from the first bytes and
the whole file is decoded (off the event loop) before 201, so an empty, non-audio or undecodable
upload answers 400 at once, and the stored recording knows its duration and channels.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response

from scribe_eval.api import (
    CreateInteractionRequest,
    InteractionCreated,
    InteractionList,
    RecordingCreated,
    RecordingList,
    UpdateInteractionRequest,
)
from scribe_eval.emulator._problems import ApiProblem, raises
from scribe_eval.emulator._state import (
    EmulatorState,
    OwnInteraction,
    OwnRecording,
    Tenant,
    add_route,
)
from scribe_eval.emulator._store import SORT_COLUMNS, RecordingRow, utc_now
from scribe_eval.emulator.engines import DecodedAudio, decode_audio, sniff_audio_format
from scribe_eval.errors import AudioError

MAX_PAGE_INDEX: Final = 1_000_000
"""The last page a list may ask for (the row offset must fit SQLite's 64-bit integers)."""

_MEDIA_TYPES: Final = {
    "wav": "audio/wav",
    "flac": "audio/flac",
    "ogg": "audio/ogg",
    "mp3": "audio/mpeg",
    "webm": "audio/webm",
    "m4a": "audio/mp4",
}
_AUDIO_BODY: Final = {
    "requestBody": {
        "required": True,
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_AUDIO_CONTENT: Final = {
    media_type: {"schema": {"type": "string", "format": "binary"}}
    for media_type in sorted(set(_MEDIA_TYPES.values()))
}


def interactions_router(state: EmulatorState) -> APIRouter:
    """Routes of ``/interactions`` and ``/interactions/{id}/recordings``."""
    router = APIRouter(tags=["interactions"])

    async def create_interaction(
        request: Request, tenant: Tenant, body: CreateInteractionRequest
    ) -> JSONResponse:
        state.store.add_tenant(tenant)
        iid, now = str(uuid.uuid4()), utc_now()
        ws_base = str(request.base_url).replace("http", "ws", 1).rstrip("/")
        wire: dict[str, Any] = {
            "id": iid,
            "createdAt": now,
            "updatedAt": now,
            "websocketUrl": f"{ws_base}/audio-bridge/v2/interactions/{iid}/streams",
        }
        state.store.put_interaction(tenant, _merged(wire, body.to_wire()))
        answer = InteractionCreated(interaction_id=iid, websocket_url=wire["websocketUrl"])
        return JSONResponse(answer.to_wire(), status_code=201)

    @raises({400: "the sort column is unknown"})
    async def list_interactions(
        tenant: Tenant,
        sort: str = "createdAt",
        direction: Literal["asc", "desc"] = "desc",
        page_size: Annotated[int, Query(alias="pageSize", ge=1, le=1000)] = 10,
        index: Annotated[int, Query(ge=1, le=MAX_PAGE_INDEX)] = 1,
        encounter_status: Annotated[list[str] | None, Query(alias="encounterStatus")] = None,
        patient: str | None = None,
    ) -> JSONResponse:
        if sort not in SORT_COLUMNS:
            raise ApiProblem(
                400,
                f"unknown sort {sort!r}",
                validation_errors=[{"sort": f"use one of {', '.join(SORT_COLUMNS)}"}],
            )
        rows = state.store.interactions(
            tenant,
            sort=sort,
            descending=direction == "desc",
            limit=page_size,
            offset=(index - 1) * page_size,
            encounter_status=encounter_status or [],
            patient=patient,
        )
        return JSONResponse({"interactions": rows})

    async def get_interaction(row: OwnInteraction) -> JSONResponse:
        return JSONResponse(row.body)

    async def update_interaction(
        tenant: Tenant, row: OwnInteraction, body: UpdateInteractionRequest
    ) -> JSONResponse:
        updated = _merged({**row.body, "updatedAt": utc_now()}, body.to_wire())
        state.store.put_interaction(tenant, updated)
        return JSONResponse(updated)

    async def delete_interaction(row: OwnInteraction) -> Response:
        await asyncio.to_thread(state.store.delete_interaction, row.id)
        state.worker.decoded.drop(interaction_id=row.id)
        return Response(status_code=204)

    @raises(
        {
            400: "the upload is empty, not audio in a supported format, or cannot be decoded",
            413: "the upload is larger than the byte limit or longer than the duration limit",
        }
    )
    async def upload_recording(request: Request, interaction: OwnInteraction) -> JSONResponse:
        row, audio = await _receive_recording(state, request, interaction.id)
        state.store.add_recording(row)
        state.worker.decoded.put(interaction.id, row.id, audio)  # its transcript needs it next
        return JSONResponse(RecordingCreated(recording_id=row.id).to_wire(), status_code=201)

    async def list_recordings(interaction: OwnInteraction) -> JSONResponse:
        return JSONResponse({"recordings": state.store.recording_ids(interaction.id)})

    async def get_recording(row: OwnRecording) -> FileResponse:
        return FileResponse(row.path, media_type=_MEDIA_TYPES.get(row.format))

    async def delete_recording(row: OwnRecording) -> Response:
        await asyncio.to_thread(state.store.delete_recording, row)
        state.worker.decoded.drop(interaction_id=row.interaction_id, recording_id=row.id)
        return Response(status_code=204)

    item, recordings = "/interactions/{interaction_id}", "/interactions/{interaction_id}/recordings"
    add_route(
        router,
        "/interactions/",
        create_interaction,
        methods=["POST"],
        status_code=201,
        response_model=InteractionCreated,
        summary="Create an interaction",
    )
    add_route(
        router,
        "/interactions/",
        list_interactions,
        methods=["GET"],
        response_model=InteractionList,
        summary="List the tenant's interactions (an empty page ends paging)",
    )
    add_route(router, item, get_interaction, methods=["GET"], summary="Get an interaction")
    add_route(router, item, update_interaction, methods=["PATCH"], summary="Update fields")
    add_route(
        router,
        item,
        delete_interaction,
        methods=["DELETE"],
        status_code=204,
        summary="Delete an interaction and everything under it",
    )
    add_route(
        router,
        f"{recordings}/",
        upload_recording,
        methods=["POST"],
        status_code=201,
        response_model=RecordingCreated,
        openapi_extra=_AUDIO_BODY,
        summary="Upload a recording (the raw audio bytes as the body)",
    )
    add_route(
        router,
        f"{recordings}/",
        list_recordings,
        methods=["GET"],
        response_model=RecordingList,
        summary="Recording ids",
    )
    add_route(
        router,
        f"{recordings}/{{recording_id}}",
        get_recording,
        methods=["GET"],
        response_class=FileResponse,
        responses={200: {"description": "The audio as uploaded", "content": _AUDIO_CONTENT}},
        summary="Download a recording's audio",
    )
    add_route(
        router,
        f"{recordings}/{{recording_id}}",
        delete_recording,
        methods=["DELETE"],
        status_code=204,
        summary="Delete a recording and its audio",
    )
    return router


def _merged(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**base, **changes}
    ended = ((merged.get("encounter") or {}).get("period") or {}).get("endedAt")
    if ended:
        merged["endedAt"] = ended
    return merged


async def _receive_recording(
    state: EmulatorState, request: Request, interaction_id: str
) -> tuple[RecordingRow, DecodedAudio]:
    limit = state.settings.max_upload_bytes
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    part = state.store.new_upload_path()
    try:
        size = await _stream_to_file(request, part, limit)
        fmt = _sniff(part, size)
        try:
            audio = await asyncio.to_thread(decode_audio, part)
        except AudioError as exc:
            raise ApiProblem(400, exc.message) from exc
        if audio.duration_s > state.settings.max_duration_s:
            raise ApiProblem(
                413,
                f"the recording lasts {audio.duration_s / 60:.1f} minutes; the limit is "
                f"{state.settings.max_duration_s / 60:.0f} minutes",
            )
        rid = str(uuid.uuid4())
        final = state.store.audio_path(interaction_id, rid, fmt)
        part.replace(final)
    finally:
        part.unlink(missing_ok=True)
    row = RecordingRow(rid, interaction_id, final, fmt, audio.duration_s, audio.channels, size)
    return row, audio


async def _stream_to_file(request: Request, path: Any, limit: int) -> int:
    size = 0
    with open(path, "wb") as handle:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _too_large(limit)
            handle.write(chunk)
    return size


def _sniff(path: Any, size: int) -> str:
    if size == 0:
        raise ApiProblem(400, "the upload is empty; send the audio bytes as the request body")
    with open(path, "rb") as handle:
        fmt = sniff_audio_format(handle.read(64))
    if fmt is None:
        raise ApiProblem(
            400, "the upload is not audio in a supported format (WAV, FLAC, Ogg, MP3, WebM, M4A)"
        )
    return fmt


def _too_large(limit: int) -> ApiProblem:
    return ApiProblem(
        413, f"the recording is larger than the {limit:,}-byte limit; split or compress it"
    )
