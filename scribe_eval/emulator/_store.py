"""The emulator's persistence: one SQLite database (WAL) and audio files under the data dir.

Wire bodies are stored as JSON next to the few columns that are filtered or sorted on. Deleting
really deletes: ``secure_delete`` zeroes freed pages, the WAL is checkpointed and truncated after
a delete, and audio files are unlinked, so clinical text and audio do not linger on disk.
Every call takes one lock; the statements are small, so callers on the event loop do not wait long.
The checkpoint after a delete does not take it: it runs on a connection of its own (see
`EmulatorStore._truncate_wal`), because its disk syncs (~10 ms) would stall the event loop.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from scribe_eval._datalock import DataDirLock
from scribe_eval.errors import StoreError

SCHEMA_VERSION: Final = 1

_IN_USE_FIX: Final = "wait for it to stop, or give this server another --data-dir"

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS tenants (name TEXT PRIMARY KEY, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS interactions (
    id TEXT PRIMARY KEY, tenant TEXT NOT NULL, encounter_status TEXT, patient TEXT,
    assigned_user_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, ended_at TEXT,
    body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS interactions_tenant ON interactions (tenant, created_at);
CREATE TABLE IF NOT EXISTS recordings (
    id TEXT PRIMARY KEY, interaction_id TEXT NOT NULL, path TEXT NOT NULL, format TEXT NOT NULL,
    duration_s REAL NOT NULL, channels INTEGER NOT NULL, size_bytes INTEGER NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS transcripts (
    id TEXT PRIMARY KEY, interaction_id TEXT NOT NULL, recording_id TEXT NOT NULL,
    status TEXT NOT NULL, request TEXT NOT NULL, body TEXT NOT NULL, error TEXT,
    created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, interaction_id TEXT NOT NULL, body TEXT NOT NULL,
    created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, tenant TEXT NOT NULL,
    expires_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS recordings_interaction ON recordings (interaction_id);
CREATE INDEX IF NOT EXISTS transcripts_interaction ON transcripts (interaction_id);
CREATE INDEX IF NOT EXISTS documents_interaction ON documents (interaction_id);
"""

#: Sort keys of ``GET /interactions/`` -> column.
SORT_COLUMNS: Final = {
    "id": "id",
    "assignedUserId": "assigned_user_id",
    "patient": "patient",
    "createdAt": "created_at",
    "updatedAt": "updated_at",
    "endedAt": "ended_at",
}


def utc_now() -> str:
    """The current time as the ISO-8601 UTC string the wire uses (sortable as text)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class InteractionRow:
    """A stored interaction and the tenant that owns it."""

    id: str
    tenant: str
    body: dict[str, Any]


@dataclass(frozen=True)
class RecordingRow:
    """A stored recording: where its audio is and what probing it found."""

    id: str
    interaction_id: str
    path: Path
    format: str
    duration_s: float
    channels: int
    size_bytes: int


@dataclass(frozen=True)
class TranscriptRow:
    """A stored transcript: the request that made it, its status and its wire body."""

    id: str
    interaction_id: str
    recording_id: str
    status: str
    request: dict[str, Any]
    body: dict[str, Any]
    error: str | None


@dataclass(frozen=True)
class DocumentRow:
    """A stored document's wire body."""

    id: str
    interaction_id: str
    body: dict[str, Any]


class EmulatorStore:
    """The SQLite database and audio folder of one emulator data dir."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.audio_dir = data_dir / "audio"
        self.incoming_dir = data_dir / "incoming"
        try:
            # One server per folder (see scribe_eval._datalock): taken before anything is read.
            self._dir_lock = DataDirLock.hold(data_dir, fix=_IN_USE_FIX, error=StoreError)
        except OSError as exc:
            raise StoreError(f"cannot open the emulator data dir {data_dir}: {exc}") from exc
        try:
            self._open()
        except BaseException:
            self._dir_lock.release()
            raise
        self._lock = threading.Lock()
        self._checkpoint_lock = threading.Lock()

    def _open(self) -> None:
        data_dir = self.data_dir
        try:
            self.audio_dir.mkdir(parents=True, exist_ok=True)
            self.incoming_dir.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(data_dir / "emulator.sqlite3", check_same_thread=False)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA journal_mode=WAL")
            # WAL with synchronous=NORMAL: no fsync per commit (every API call commits), and
            # still consistent after a crash of the process; only a power cut may lose the last
            # commits of an emulator's scratch data.
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA secure_delete=ON")
            self._migrate()
            # Checkpoints only, never under the store's lock (see _truncate_wal). Synchronous is
            # a setting of each connection; a checkpoint syncs as under NORMAL either way.
            self._checkpointer = sqlite3.connect(
                data_dir / "emulator.sqlite3", check_same_thread=False, isolation_level=None
            )
            self._checkpointer.execute("PRAGMA synchronous=NORMAL")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"cannot open the emulator data dir {data_dir}: {exc}") from exc
        for leftover in self.incoming_dir.iterdir():
            # Half-received uploads of a process that died (no other one lives: the lock).
            leftover.unlink(missing_ok=True)

    def _migrate(self) -> None:
        version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"emulator data dir {self.data_dir} is from a newer scribe-eval (schema "
                f"{version}); upgrade scribe-eval or use another --data-dir"
            )
        self._db.executescript(_SCHEMA)
        self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        self._db.commit()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock, self._db:
            yield self._db

    def close(self) -> None:
        """Close the database and let another server open the folder."""
        with self._lock, self._checkpoint_lock:
            self._db.close()
            self._checkpointer.close()
        self._dir_lock.release()

    def new_upload_path(self) -> Path:
        """A fresh path under the data dir for an upload being received."""
        return self.incoming_dir / f"{uuid.uuid4()}.part"

    def audio_path(self, interaction_id: str, recording_id: str, fmt: str) -> Path:
        """Where a recording's audio lives (its folder is created)."""
        folder = self.audio_dir / interaction_id
        folder.mkdir(parents=True, exist_ok=True)
        return folder / f"{recording_id}.{fmt}"

    # Tenants and tokens.

    def add_tenant(self, name: str) -> None:
        """Remember a tenant (idempotent)."""
        with self._tx() as db:
            db.execute("INSERT OR IGNORE INTO tenants VALUES (?, ?)", (name, utc_now()))

    def tenants(self) -> list[str]:
        """Every tenant seen so far, sorted."""
        with self._tx() as db:
            return [r[0] for r in db.execute("SELECT name FROM tenants ORDER BY name")]

    def add_token(self, digest: str, tenant: str, expires_at: float) -> None:
        """Remember an issued token by its digest (never the token itself)."""
        with self._tx() as db:
            db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (digest, tenant, expires_at))

    def token_tenant(self, digest: str, now: float) -> str | None:
        """The tenant of an unexpired token, else ``None`` (expired tokens are purged)."""
        with self._tx() as db:
            db.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
            row = db.execute("SELECT tenant FROM tokens WHERE digest = ?", (digest,)).fetchone()
        return None if row is None else str(row[0])

    # Interactions.

    def put_interaction(self, tenant: str, body: dict[str, Any]) -> None:
        """Insert or replace an interaction from its wire body."""
        encounter = body.get("encounter") or {}
        patient = body.get("patient") or {}
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO interactions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    body["id"], tenant, encounter.get("status"), patient.get("identifier"),
                    body.get("assignedUserId"), body["createdAt"], body["updatedAt"],
                    body.get("endedAt"), json.dumps(body),
                ),
            )  # fmt: skip

    def interaction(self, interaction_id: str) -> InteractionRow | None:
        """One interaction, or ``None``."""
        with self._tx() as db:
            row = db.execute(
                "SELECT id, tenant, body FROM interactions WHERE id = ?", (interaction_id,)
            ).fetchone()
        return None if row is None else InteractionRow(row[0], row[1], json.loads(row[2]))

    def interactions(
        self,
        tenant: str,
        *,
        sort: str,
        descending: bool,
        limit: int,
        offset: int,
        encounter_status: list[str],
        patient: str | None,
    ) -> list[dict[str, Any]]:
        """One page of a tenant's interactions as wire bodies."""
        where, args = ["tenant = ?"], [tenant]
        if encounter_status:
            where.append(f"encounter_status IN ({','.join('?' * len(encounter_status))})")
            args.extend(encounter_status)
        if patient is not None:
            where.append("patient = ?")
            args.append(patient)
        order = "DESC" if descending else "ASC"
        sql = (
            f"SELECT body FROM interactions WHERE {' AND '.join(where)} "
            f"ORDER BY {SORT_COLUMNS[sort]} {order}, rowid {order} LIMIT ? OFFSET ?"
        )
        with self._tx() as db:
            rows = db.execute(sql, [*args, limit, offset]).fetchall()
        return [json.loads(r[0]) for r in rows]

    def delete_interaction(self, interaction_id: str) -> None:
        """Delete an interaction and everything under it: recordings' audio, transcripts, docs."""
        with self._tx() as db:
            for table in ("recordings", "transcripts", "documents"):
                db.execute(f"DELETE FROM {table} WHERE interaction_id = ?", (interaction_id,))
            db.execute("DELETE FROM interactions WHERE id = ?", (interaction_id,))
        shutil.rmtree(self.audio_dir / interaction_id, ignore_errors=True)
        self._truncate_wal()

    def _truncate_wal(self) -> None:
        """Copy the write-ahead log into the database and empty it, before the delete answers.

        Deleted rows would otherwise survive in the log until it is reused. This runs on its
        own connection, without the store's lock: held for the checkpoint's disk syncs (~10 ms
        a delete), that lock stalled every other call of the event loop meanwhile. A passive
        checkpoint does the copying and syncing while others read and write; the truncating
        one after it waits for the readers and writers of the moment (short statements) and has
        little or nothing left to copy. If it reports that one kept it busy, it runs again under
        the store's lock, so the log is empty when this returns.
        """
        with self._checkpoint_lock:
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")
            busy = self._checkpointer.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:  # a statement kept it from finishing: once more, with every other call held
            with self._lock, self._checkpoint_lock:
                self._checkpointer.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    # Recordings.

    def add_recording(self, row: RecordingRow) -> None:
        """Insert a recording whose audio is already at ``row.path``."""
        with self._tx() as db:
            db.execute(
                "INSERT INTO recordings VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id, row.interaction_id, str(row.path), row.format, row.duration_s,
                    row.channels, row.size_bytes, utc_now(),
                ),
            )  # fmt: skip

    def recording(self, recording_id: str) -> RecordingRow | None:
        """One recording, or ``None``."""
        with self._tx() as db:
            row = db.execute(
                "SELECT id, interaction_id, path, format, duration_s, channels, size_bytes "
                "FROM recordings WHERE id = ?",
                (recording_id,),
            ).fetchone()
        if row is None:
            return None
        return RecordingRow(row[0], row[1], Path(row[2]), row[3], row[4], row[5], row[6])

    def recording_ids(self, interaction_id: str) -> list[str]:
        """The ids of an interaction's recordings, oldest first."""
        sql = "SELECT id FROM recordings WHERE interaction_id = ? ORDER BY rowid"
        with self._tx() as db:
            return [r[0] for r in db.execute(sql, (interaction_id,))]

    def delete_recording(self, row: RecordingRow) -> None:
        """Delete a recording and its audio file."""
        with self._tx() as db:
            db.execute("DELETE FROM recordings WHERE id = ?", (row.id,))
        row.path.unlink(missing_ok=True)
        self._truncate_wal()

    # Transcripts.

    def put_transcript(self, row: TranscriptRow) -> None:
        """Insert or replace a transcript."""
        now = utc_now()
        with self._tx() as db:
            created = db.execute(
                "SELECT created_at FROM transcripts WHERE id = ?", (row.id,)
            ).fetchone()
            db.execute(
                "INSERT OR REPLACE INTO transcripts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    row.id, row.interaction_id, row.recording_id, row.status,
                    json.dumps(row.request), json.dumps(row.body), row.error,
                    created[0] if created else now, now,
                ),
            )  # fmt: skip

    def finish_transcript(self, row: TranscriptRow) -> bool:
        """Store a finished transcript unless it was deleted meanwhile; True when stored."""
        with self._tx() as db:
            cursor = db.execute(
                "UPDATE transcripts SET status = ?, body = ?, error = ?, updated_at = ? "
                "WHERE id = ?",
                (row.status, json.dumps(row.body), row.error, utc_now(), row.id),
            )
        return cursor.rowcount == 1

    def transcript(self, transcript_id: str) -> TranscriptRow | None:
        """One transcript, or ``None``."""
        with self._tx() as db:
            row = db.execute(
                "SELECT id, interaction_id, recording_id, status, request, body, error "
                "FROM transcripts WHERE id = ?",
                (transcript_id,),
            ).fetchone()
        return None if row is None else _transcript_row(row)

    def transcripts(
        self, interaction_id: str | None = None, *, status: str | None = None
    ) -> list[TranscriptRow]:
        """An interaction's transcripts (or every one with ``status``), oldest first."""
        where, args = [], []
        if interaction_id is not None:
            where.append("interaction_id = ?")
            args.append(interaction_id)
        if status is not None:
            where.append("status = ?")
            args.append(status)
        sql = (
            "SELECT id, interaction_id, recording_id, status, request, body, error "
            f"FROM transcripts WHERE {' AND '.join(where) or '1'} ORDER BY rowid"
        )
        with self._tx() as db:
            return [_transcript_row(r) for r in db.execute(sql, args)]

    def delete_transcript(self, transcript_id: str) -> None:
        """Delete a transcript."""
        with self._tx() as db:
            db.execute("DELETE FROM transcripts WHERE id = ?", (transcript_id,))
        self._truncate_wal()

    # Documents.

    def put_document(self, interaction_id: str, body: dict[str, Any]) -> None:
        """Insert or replace a document from its wire body."""
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO documents VALUES (?, ?, ?, ?)",
                (body["id"], interaction_id, json.dumps(body), body["createdAt"]),
            )

    def document(self, document_id: str) -> DocumentRow | None:
        """One document, or ``None``."""
        with self._tx() as db:
            row = db.execute(
                "SELECT id, interaction_id, body FROM documents WHERE id = ?", (document_id,)
            ).fetchone()
        return None if row is None else DocumentRow(row[0], row[1], json.loads(row[2]))

    def documents(self, interaction_id: str) -> list[dict[str, Any]]:
        """An interaction's documents as wire bodies, oldest first."""
        sql = "SELECT body FROM documents WHERE interaction_id = ? ORDER BY rowid"
        with self._tx() as db:
            return [json.loads(r[0]) for r in db.execute(sql, (interaction_id,))]

    def delete_document(self, document_id: str) -> None:
        """Delete a document."""
        with self._tx() as db:
            db.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        self._truncate_wal()

    def counts(self) -> dict[str, int]:
        """How many rows each resource table holds (for the stats endpoint)."""
        with self._tx() as db:
            return {
                table: int(db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
                for table in ("tenants", "interactions", "recordings", "transcripts", "documents")
            }


def _transcript_row(row: sqlite3.Row) -> TranscriptRow:
    return TranscriptRow(
        row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), row[6]
    )
