"""Interactions and recordings (contract sections 2 and 3), with the interaction duplicate guard."""

from __future__ import annotations

import asyncio
import mimetypes
import os
from collections.abc import AsyncIterable, AsyncIterator, Callable
from pathlib import Path

from scribe_eval.api import (
    CreateInteractionRequest,
    Interaction,
    InteractionCreated,
    InteractionList,
    RecordingCreated,
    RecordingList,
    UpdateInteractionRequest,
)
from scribe_eval.client._base import ClientBase, params, request
from scribe_eval.client._http import Body
from scribe_eval.errors import AudioError

#: Page size used when paging through every interaction (the contract's default is 10).
LOOKUP_PAGE_SIZE = 50

RecordingData = bytes | bytearray | memoryview | str | os.PathLike[str] | AsyncIterable[bytes]

_CHUNK = 1 << 20


class InteractionsMixin(ClientBase):
    """``/interactions/`` and ``/interactions/{id}/recordings/``."""

    async def create_interaction(self, body: CreateInteractionRequest) -> InteractionCreated:
        """Create an interaction; never twice for the same ``encounter.identifier``.

        Duplicate guard: when the POST fails in a way that may have succeeded on the server (a
        read time-out, a dropped connection, 500/502/504), the client first pages through
        ``GET /interactions/`` for an interaction whose ``encounter.identifier`` equals the
        request's, and returns it instead of posting again. The caller must therefore make the
        identifier unique per cell and per run (scribe-eval's runner uses the cell key).
        """
        identifier = body.encounter.identifier

        async def recover() -> InteractionCreated | None:
            found = await self.find_interaction(identifier)
            if found is None:
                return None
            return InteractionCreated(interaction_id=found.id, websocket_url=found.websocket_url)

        req = request("POST", "/interactions/", json=body.to_wire(), idempotent=False, root=True)
        return await self._http.call(
            req, lambda r: InteractionCreated.model_validate_json(r.content), recover
        )

    async def list_interactions(
        self,
        *,
        page_size: int = 10,
        index: int = 1,
        sort: str | None = None,
        direction: str | None = None,
        encounter_status: str | None = None,
        patient: str | None = None,
    ) -> list[Interaction]:
        """One page of interactions (``index`` is 1-based); an empty list is past the last page."""
        query = params(
            sort=sort, direction=direction, pageSize=page_size, index=index,
            encounterStatus=encounter_status, patient=patient,
        )  # fmt: skip
        req = request("GET", "/interactions/", params=query, root=True)
        answer = await self._model(InteractionList, req)
        return answer.interactions

    async def iter_interactions(
        self,
        *,
        page_size: int = LOOKUP_PAGE_SIZE,
        encounter_status: str | None = None,
        patient: str | None = None,
    ) -> AsyncIterator[Interaction]:
        """Every interaction, page by page, until an empty page (or a page that repeats)."""
        index, previous = 1, None
        while True:
            page = await self.list_interactions(
                page_size=page_size, index=index, encounter_status=encounter_status,
                patient=patient,
            )  # fmt: skip
            ids = [item.id for item in page]
            if not page or ids == previous:
                return
            for item in page:
                yield item
            index, previous = index + 1, ids

    async def find_interaction(self, encounter_identifier: str) -> Interaction | None:
        """The interaction whose ``encounter.identifier`` matches, None when there is none."""
        async for item in self.iter_interactions():
            if item.encounter is not None and item.encounter.identifier == encounter_identifier:
                return item
        return None

    async def get_interaction(self, interaction_id: str) -> Interaction:
        """One interaction."""
        ids = {"id": interaction_id}
        return await self._model(Interaction, request("GET", "/interactions/{id}", ids))

    async def update_interaction(
        self, interaction_id: str, body: UpdateInteractionRequest
    ) -> Interaction:
        """Change fields of an interaction (PATCH) and return it."""
        req = request("PATCH", "/interactions/{id}", {"id": interaction_id}, json=body.to_wire())
        return await self._model(Interaction, req)

    async def delete_interaction(self, interaction_id: str) -> None:
        """Delete an interaction and everything under it (clinical data must not linger)."""
        await self._no_content(request("DELETE", "/interactions/{id}", {"id": interaction_id}))

    async def upload_recording(
        self, interaction_id: str, data: RecordingData, content_type: str | None = None
    ) -> RecordingCreated:
        """Upload audio as the raw body: bytes, a file path, or an async iterator of chunks.

        Bytes and files are retried like any call (a duplicate recording is harmless and goes
        with the interaction); an async iterator can be read only once, so it is sent once.
        """
        content, length, guessed = _recording_body(data)
        headers = {"Content-Type": content_type or guessed}
        if length is not None:
            headers["Content-Length"] = str(length)
        req = request(
            "POST", "/interactions/{id}/recordings/", {"id": interaction_id},
            content=content, headers=headers, replayable=not isinstance(data, AsyncIterable),
        )  # fmt: skip
        return await self._model(RecordingCreated, req)

    async def list_recordings(self, interaction_id: str) -> list[str]:
        """The recording ids of an interaction."""
        req = request("GET", "/interactions/{id}/recordings/", {"id": interaction_id})
        return (await self._model(RecordingList, req)).recordings

    async def get_recording(self, interaction_id: str, recording_id: str) -> bytes:
        """The audio bytes of a recording."""
        ids = {"id": interaction_id, "rid": recording_id}
        req = request("GET", "/interactions/{id}/recordings/{rid}", ids)
        return await self._http.call(req, lambda r: r.content)

    async def delete_recording(self, interaction_id: str, recording_id: str) -> None:
        """Delete a recording."""
        ids = {"id": interaction_id, "rid": recording_id}
        await self._no_content(request("DELETE", "/interactions/{id}/recordings/{rid}", ids))


def _recording_body(data: RecordingData) -> tuple[Callable[[], Body], int | None, str]:
    """A body factory (fresh per attempt), its length when known, and a guessed content type."""
    octets = "application/octet-stream"
    if isinstance(data, bytes | bytearray | memoryview):
        payload = bytes(data)
        return (lambda: payload), len(payload), octets
    if isinstance(data, AsyncIterable):
        iterator = aiter(data)
        return (lambda: iterator), None, octets
    path = Path(data)
    if not path.is_file():
        raise AudioError(f"recording {path} is not a readable file; check the dataset's audio path")
    guessed = mimetypes.guess_type(path.name)[0] or octets
    return (lambda: _file_chunks(path)), path.stat().st_size, guessed


async def _file_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as handle:
        while chunk := await asyncio.to_thread(handle.read, _CHUNK):
            yield chunk
