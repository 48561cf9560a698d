"""Remote resources a run creates, with a pending row written before each create call.

After a crash the run finds a resource by the identifier it sent (an interaction's
``encounter.identifier``, a document's ``name``) instead of creating a second one.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from scribe_eval.api import CreateInteractionRequest
from scribe_eval.client import AmbientClient
from scribe_eval.dataset import Dataset, Encounter, encounter_audio_bytes
from scribe_eval.errors import NotFoundError
from scribe_eval.runner._keys import content_hash
from scribe_eval.runner._requests import encounter_identifier, interaction_body
from scribe_eval.store import RemoteRecord, RunStore, utc_now


class RemoteResources:
    """Creates (or finds again) the interaction and recording of each encounter of one run."""

    def __init__(self, store: RunStore, run_id: str, target: str, dataset: Dataset | None) -> None:
        self._store = store
        self._run_id = run_id
        self._target = target
        self._dataset = dataset
        self._locks: dict[str, asyncio.Lock] = {}

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def _put(self, key: str, kind: str, identifier: str, **fields: Any) -> None:
        self._store.put_remote(
            RemoteRecord(
                run_id=self._run_id,
                key=key,
                kind=kind,
                target=self._target,
                identifier=identifier,
                updated=utc_now(),
                **fields,
            )
        )

    def known_interaction(self, encounter_id: str, language: str) -> str | None:
        """The id of the run's interaction for an encounter, if it exists already (no call)."""
        row = self._store.get_remote(self._run_id, f"interaction:{encounter_id}:{language}")
        if row is not None and row.state == "created" and row.remote_id:
            return row.remote_id
        return None

    async def interaction(self, client: AmbientClient, encounter: Encounter, language: str) -> str:
        """The id of the run's interaction for an encounter and recording language."""
        key = f"interaction:{encounter.id}:{language}"
        async with self._lock(key):
            row = self._store.get_remote(self._run_id, key)
            identifier = encounter_identifier(self._run_id, encounter.id, language)
            if row is not None and row.state == "created" and row.remote_id:
                return row.remote_id
            if row is not None and row.state == "pending":
                found = await client.find_interaction(identifier)
                if found is not None:
                    self._put(key, "interaction", identifier, remote_id=found.id, state="created")
                    return found.id
            self._put(key, "interaction", identifier, state="pending")
            body = CreateInteractionRequest.model_validate(
                interaction_body(self._run_id, encounter, language)
            )
            created = await client.create_interaction(body)
            self._put(
                key, "interaction", identifier, remote_id=created.interaction_id, state="created"
            )
            return created.interaction_id

    async def recording(
        self, client: AmbientClient, interaction_id: str, encounter: Encounter, language: str
    ) -> str:
        """The id of the encounter's uploaded recording in that interaction (uploaded once)."""
        key = f"recording:{encounter.id}:{language}"
        async with self._lock(key):
            row = self._store.get_remote(self._run_id, key)
            if (
                row is not None
                and row.remote_id
                and row.parent_id == interaction_id
                and row.state == "created"
            ):
                return row.remote_id
            if row is not None and row.state == "pending" and row.parent_id == interaction_id:
                existing = await client.list_recordings(interaction_id)
                if existing:
                    self._put(
                        key, "recording", encounter.id, remote_id=existing[0],
                        parent_id=interaction_id, state="created",
                    )  # fmt: skip
                    return existing[0]
            self._put(key, "recording", encounter.id, parent_id=interaction_id, state="pending")
            assert self._dataset is not None, "uploads need the run's dataset"
            data, content_type = await asyncio.to_thread(
                encounter_audio_bytes, self._dataset, encounter
            )
            created = await client.upload_recording(interaction_id, data, content_type)
            self._put(
                key, "recording", encounter.id, remote_id=created.recording_id,
                parent_id=interaction_id, state="created",
            )  # fmt: skip
            return created.recording_id

    def pending_document_name(self, cell_id: str) -> str:
        """The unique document name of a cell (the document duplicate guard matches on it)."""
        return f"scribe-eval {content_hash([self._run_id, cell_id])[:24]}"

    def created_interactions(self) -> list[RemoteRecord]:
        """Interactions of this run that exist remotely (not yet deleted)."""
        return [
            r
            for r in self._store.remotes(self._run_id, kind="interaction")
            if r.state == "created" and r.remote_id
        ]

    async def delete(self, client: AmbientClient, row: RemoteRecord) -> None:
        """Delete one interaction of this run (one already gone counts as deleted)."""
        assert row.remote_id is not None
        async with self._lock(row.key):
            with contextlib.suppress(NotFoundError):
                await client.delete_interaction(row.remote_id)
            self._put(
                row.key, "interaction", row.identifier, remote_id=row.remote_id, state="deleted"
            )

    async def delete_leftovers(self, client: AmbientClient) -> int:
        """Delete every interaction of this run still on the target, pending ones included.

        A ``pending`` row means a create call may have landed before a crash: it is looked up by
        its identifier and deleted if it exists.
        """
        deleted = 0
        for row in self._store.remotes(self._run_id, kind="interaction"):
            if row.state == "pending":
                found = await client.find_interaction(row.identifier)
                if found is None:
                    self._put(row.key, "interaction", row.identifier, state="deleted")
                    continue
                row = row.model_copy(update={"remote_id": found.id, "state": "created"})
            if row.state == "created" and row.remote_id:
                await self.delete(client, row)
                deleted += 1
        return deleted

    def interactions_of(self, encounter_id: str) -> list[RemoteRecord]:
        """The encounter's interactions of this run that exist remotely."""
        prefix = f"interaction:{encounter_id}:"
        return [r for r in self.created_interactions() if r.key.startswith(prefix)]
