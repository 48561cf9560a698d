"""Remote resources a run creates, with a pending row written before each create call.

Every create (interaction, recording, transcript, document) writes a ``pending`` row first and a
``created`` row with the remote id as soon as the answer is in. After a crash the run reconciles a
``pending`` row by listing what the target holds (an interaction by its ``encounter.identifier``,
the recordings of an interaction, a transcript of the recording, a document by its ``name``) and
uses what it finds instead of creating a second copy; a transcript found still ``processing`` is
polled, never asked for again.

Each row written carries the API calls made since the runner's previous store write (the
session's `CallLedger`), so that a killed process keeps its call count. A document's ``created``
row is written with its answer, in the write that stores it in the stage cache: once the answer
is stored, a resumed run takes it from the cache and never reads the row, so a separate write of
the row first protected nothing (killed before that one write, the ``pending`` row is reconciled
by the document's name, as it was when killed between the two). The other ``created`` rows stay
separate writes: a transcript's is read while it is still processing (a resumed run polls the
transcript it names instead of looking for it in a listing), and an interaction's or recording's
is what the next calls (and the clean-up) are made on; none has an answer written at that moment.

The rows are read once per encounter (``expect`` names them; the first read of any of them reads
them all, in one query) and kept with every write made since, so that an encounter's calls cost
no read of the store each. Kept rows may be stale only if someone else writes them: a worker
taken for dead and retried elsewhere while it still runs. So the pending row before a create is
written only if the stored row is still the one the decision was made on (``put_remote_if``);
when it is not, the row is read again and the decision made again on it.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from scribe_eval.api import (
    CreateDocumentRequest,
    CreateInteractionRequest,
    CreateTranscriptRequest,
    Document,
    Transcript,
)
from scribe_eval.dataset import Dataset, Encounter, encounter_audio_bytes
from scribe_eval.errors import APIStatusError, NotFoundError, TransportError
from scribe_eval.runner._cleanup import RemoteCleanup
from scribe_eval.runner._keys import content_hash
from scribe_eval.runner._ledger import CallLedger
from scribe_eval.runner._requests import encounter_identifier, interaction_body
from scribe_eval.store import RemoteRecord, RunStore, utc_now

if TYPE_CHECKING:  # the client is imported by the session that makes the first call
    from scribe_eval.client import AmbientClient

#: Stores a remote row with the calls it carries (the row, the calls).
RowWrite = Callable[[RemoteRecord, int], None]
#: Stores a document's answer with its ``created`` row (None: stored already) and the calls.
AnswerWrite = Callable[[Document, RemoteRecord | None, int], None]


class RemoteResources(RemoteCleanup):
    """Creates (or finds again) the interaction and recording of each encounter of one run."""

    def __init__(
        self,
        store: RunStore,
        run_id: str,
        target: str,
        dataset: Dataset | None,
        ledger: CallLedger | None = None,
    ) -> None:
        """``ledger``: the calls each row written carries to the run (None: no count is kept;
        the caller adds the session's calls itself)."""
        self._store = store
        self._ledger = ledger or CallLedger(lambda: 0)
        self._run_id = run_id
        self._target = target
        self._dataset = dataset
        self._locks: dict[str, asyncio.Lock] = {}
        # The rows as read or written since, by key (None: there is none), and the keys to read
        # together with each key not read yet.
        self._rows: dict[str, RemoteRecord | None] = {}
        self._batches: dict[str, frozenset[str]] = {}

    def _lock(self, key: str) -> asyncio.Lock:
        return self._locks.setdefault(key, asyncio.Lock())

    def expect(
        self,
        encounter_id: str,
        languages: Iterable[str],
        transcripts: Iterable[str] = (),
        documents: Iterable[str] = (),
    ) -> None:
        """Name an encounter's rows (its recording languages, transcript and document cell ids):
        the first read of any of them reads them all, in one query."""
        keys = {
            *(_key("interaction", encounter_id, language) for language in languages),
            *(_key("recording", encounter_id, language) for language in languages),
            *(_key("transcript", cell_id) for cell_id in transcripts),
            *(_key("document", cell_id) for cell_id in documents),
        }
        batch = frozenset(keys - self._rows.keys())
        for key in batch:
            self._batches[key] = batch

    def _row(self, key: str) -> RemoteRecord | None:
        """The row under ``key``, as read (with its batch) or written since."""
        if key not in self._rows:
            batch = {k for k in self._batches.get(key, ()) if k not in self._rows} | {key}
            found = {r.key: r for r in self._store.get_remotes(self._run_id, batch)}
            for k in batch:
                self._batches.pop(k, None)
                self._rows[k] = found.get(k)
        return self._rows[key]

    def _record(self, key: str, kind: str, identifier: str, **fields: Any) -> RemoteRecord:
        return RemoteRecord(
            run_id=self._run_id, key=key, kind=kind, target=self._target,
            identifier=identifier, updated=utc_now(), **fields,
        )  # fmt: skip

    def _put(
        self, key: str, kind: str, identifier: str, *, write: RowWrite | None = None, **fields: Any
    ) -> None:
        """Write a row (with the calls not carried yet); ``write`` stores it, by default alone."""
        record = self._record(key, kind, identifier, **fields)
        try:
            with self._ledger.carry() as carry:
                if write is None:
                    self._store.put_remote(record, api_calls_delta=carry.calls)
                else:
                    write(record, carry.calls)
        except BaseException:
            self._rows.pop(key, None)  # it may be stored or not: read it again next time
            raise
        self._rows[key] = record

    def _claim(self, key: str, kind: str, identifier: str, **fields: Any) -> bool:
        """Write the pending row before a create, if the stored row is still the one read;
        False (with the stored row read again) when someone else wrote it meanwhile."""
        record = self._record(key, kind, identifier, state="pending", **fields)
        try:
            with self._ledger.carry() as carry:
                written = self._store.put_remote_if(
                    record, expected=self._row(key), api_calls_delta=carry.calls
                )
                if not written:
                    carry.give_back()
        except BaseException:
            self._rows.pop(key, None)
            raise
        self._rows[key] = record if written else self._store.get_remote(self._run_id, key)
        return written

    def known_interaction(self, encounter_id: str, language: str) -> str | None:
        """The id of the run's interaction for an encounter, if it exists already (no call)."""
        row = self._row(_key("interaction", encounter_id, language))
        if row is not None and row.state == "created" and row.remote_id:
            return row.remote_id
        return None

    async def interaction(self, client: AmbientClient, encounter: Encounter, language: str) -> str:
        """The id of the run's interaction for an encounter and recording language."""
        key = _key("interaction", encounter.id, language)
        identifier = encounter_identifier(self._run_id, encounter.id, language)
        async with self._lock(key):
            while True:
                row = self._row(key)
                if row is not None and row.state == "created" and row.remote_id:
                    return row.remote_id
                if row is not None and row.state == "pending":
                    found = await client.find_interaction(identifier)
                    if found is not None:
                        self._put(
                            key, "interaction", identifier, remote_id=found.id, state="created"
                        )
                        return found.id
                if self._claim(key, "interaction", identifier):
                    break
            body = CreateInteractionRequest.model_validate(
                interaction_body(self._run_id, encounter, language)
            )
            try:
                created = await client.create_interaction(body)
            except (APIStatusError, TransportError) as exc:
                if refused(exc, "POST /interactions/"):
                    # The target answered that it did not create it: nothing to look up or
                    # delete later (a pending row would be reported as "could not be deleted"
                    # when the target refuses lookups alike, as it does a wrong URL or a 429).
                    self._put(key, "interaction", identifier, state="deleted")
                raise
            self._put(
                key, "interaction", identifier, remote_id=created.interaction_id, state="created"
            )
            return created.interaction_id

    async def recording(
        self, client: AmbientClient, interaction_id: str, encounter: Encounter, language: str
    ) -> str:
        """The id of the encounter's uploaded recording in that interaction (uploaded once)."""
        key = _key("recording", encounter.id, language)
        async with self._lock(key):
            while True:
                found = await self._existing_recording(client, key, interaction_id, encounter.id)
                if found is not None:
                    return found
                if self._claim(key, "recording", encounter.id, parent_id=interaction_id):
                    break
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

    async def _existing_recording(
        self, client: AmbientClient, key: str, interaction_id: str, encounter_id: str
    ) -> str | None:
        """The id of the recording the row (or a pending row's listing) names, if any."""
        row = self._row(key)
        if row is None or row.parent_id != interaction_id:
            return None
        if row.state == "created" and row.remote_id:
            return row.remote_id
        existing = await client.list_recordings(interaction_id) if row.state == "pending" else []
        if not existing:
            return None
        self._put(
            key, "recording", encounter_id, remote_id=existing[0], parent_id=interaction_id,
            state="created",
        )  # fmt: skip
        return existing[0]

    async def transcript(
        self,
        client: AmbientClient,
        interaction_id: str,
        cell_id: str,
        body: CreateTranscriptRequest,
        *,
        deadline: float | None = None,
    ) -> Transcript:
        """The finished transcript of a transcript cell, asked for at most once per interaction.

        A transcript this run asked for already (its row says so, or a pending row's listing
        finds it) is polled until it finishes; a new one is asked for only when there is none,
        when it was deleted, or when it failed (the cell is being retried).
        """
        key = _key("transcript", cell_id)
        recording = str(body.recording_id)
        async with self._lock(key):
            while True:
                existing = await self._existing_transcript(client, key, interaction_id, recording)
                if existing is not None:
                    with contextlib.suppress(NotFoundError):
                        status = await client.get_transcript_status(interaction_id, existing)
                        if status.status != "failed":
                            self._put_transcript(key, recording, interaction_id, existing)
                            return await client.wait_for_transcript(
                                interaction_id, existing, deadline=deadline
                            )
                if self._claim(key, "transcript", recording, parent_id=interaction_id):
                    break
            created = await client.create_transcript(interaction_id, body, one_per_recording=True)
            self._put_transcript(key, recording, interaction_id, created.id)
            if created.status == "completed":
                return created
            # Processing (or failed: the status call then raises the failure with its message).
            return await client.wait_for_transcript(interaction_id, created.id, deadline=deadline)

    async def _existing_transcript(
        self, client: AmbientClient, key: str, interaction_id: str, recording: str
    ) -> str | None:
        """The id of the transcript the row (or a pending row's listing) names, if any."""
        row = self._row(key)
        if row is None or row.parent_id != interaction_id:
            return None
        if row.state == "created" and row.remote_id:
            return row.remote_id
        if row.state == "pending":
            found = await client.find_transcript(interaction_id, recording)
            return None if found is None else found.id
        return None

    def _put_transcript(self, key: str, recording: str, interaction_id: str, tid: str) -> None:
        row = self._row(key)
        if row is None or row.state != "created" or row.remote_id != tid:
            self._put(
                key, "transcript", recording, remote_id=tid, parent_id=interaction_id,
                state="created",
            )  # fmt: skip

    async def document(
        self,
        client: AmbientClient,
        interaction_id: str,
        cell_id: str,
        body: CreateDocumentRequest,
        *,
        no_retention: bool = False,
        store_answer: AnswerWrite | None = None,
    ) -> Document:
        """The document of a document cell, created at most once per interaction.

        ``body.name`` must be ``pending_document_name(cell_id)``: a pending row is reconciled by
        looking the document up by that name. A document created before a crash that the store
        did not cache yet is fetched, not written again.

        ``store_answer(document, row, calls)`` stores the answer with its ``created`` row (None
        when the row is stored already) and the calls it carries, in one write; it is called
        once, whichever way the document was had. Without it the row is written alone.
        """
        key = _key("document", cell_id)
        name = body.name or self.pending_document_name(cell_id)
        async with self._lock(key):
            while True:
                found = await self._existing_document(
                    client, key, interaction_id, name, store_answer
                )
                if found is not None:
                    return found
                if self._claim(key, "document", name, parent_id=interaction_id):
                    break
            created = await client.create_document(interaction_id, body, no_retention=no_retention)
            self._put_document(key, name, interaction_id, created, store_answer)
            return created

    def _put_document(
        self,
        key: str,
        name: str,
        interaction_id: str,
        document: Document,
        store_answer: AnswerWrite | None,
    ) -> None:
        """The document's ``created`` row, with its answer when ``store_answer`` stores it."""
        write: RowWrite | None = None
        if store_answer is not None:
            write = functools.partial(store_answer, document)
        self._put(
            key, "document", name, remote_id=document.id, parent_id=interaction_id,
            state="created", write=write,
        )  # fmt: skip

    async def _existing_document(
        self,
        client: AmbientClient,
        key: str,
        interaction_id: str,
        name: str,
        store_answer: AnswerWrite | None,
    ) -> Document | None:
        """The document the row names (if still there), or a pending row's by its name."""
        row = self._row(key)
        if row is None or row.parent_id != interaction_id:
            return None
        if row.state == "created" and row.remote_id:
            with contextlib.suppress(NotFoundError):  # gone, or never kept (retention)
                document = await client.get_document(interaction_id, row.remote_id)
                if store_answer is not None:
                    with self._ledger.carry() as carry:
                        store_answer(document, None, carry.calls)
                return document
        elif row.state == "pending":
            found = await client.find_document(interaction_id, name)
            if found is not None:
                self._put_document(key, name, interaction_id, found, store_answer)
                return found
        return None

    def pending_document_name(self, cell_id: str) -> str:
        """The unique document name of a cell (the document duplicate guard matches on it)."""
        return f"scribe-eval {content_hash([self._run_id, cell_id])[:24]}"

    def interactions_of(self, encounter_id: str, languages: Iterable[str]) -> list[RemoteRecord]:
        """The encounter's interactions of this run that exist remotely.

        ``languages`` are the recording languages the run used for the encounter; each row is
        read by its key (with the encounter's other rows, once), so the cost does not grow with
        the run's size.
        """
        rows = (
            self._row(_key("interaction", encounter_id, lang)) for lang in sorted(set(languages))
        )
        return [r for r in rows if r is not None and r.state == "created" and r.remote_id]


def refused(exc: APIStatusError | TransportError, call: str) -> bool:
    """Whether ``exc`` is ``call``'s own failure saying it was not carried out: an answer of 4xx
    (throttling included, but not 408, a time-out reading a request the server may yet act on)
    or 501 (no such method), or a connection that never opened (refused, unknown host, TLS: the
    run-wide transport failures), so nothing was sent.

    The client asks again after a failure that may hide a success (5xx, a dropped answer) only
    when a look-up found nothing, so the call's last failure decides; a failed look-up (its
    error is the look-up's, ``APIError.call``) decides nothing.
    """
    if exc.call != call:
        return False
    if isinstance(exc, TransportError):
        return exc.run_wide
    status = exc.status_code
    return (400 <= status < 500 and status != 408) or status == 501


def _key(kind: str, *parts: str) -> str:
    """A row's key: ``interaction:ENCOUNTER:LANGUAGE``, ``document:CELL_ID`` and so on."""
    return ":".join((kind, *parts))
