"""The run store: one SQLite file in the runs directory, shared by ``run``, ``runs``, ``report``
and ``compare``. It holds every run, every cell, the stage cache shared by all runs, the remote
resources a run created and the blessed baselines. WAL mode; each completed stage is committed at
once, so a killed process loses at most the stage in flight.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scribe_eval.errors import StoreError

# Re-exported: `scribe_eval.store.RunStore` is read from here, so that ``RunStore(runs_dir)``
# always finds this module's SQLite store registered as its default backend.
from scribe_eval.store._base import RunStore as RunStore
from scribe_eval.store._base import check_carried
from scribe_eval.store._clock import utc_now
from scribe_eval.store._location import STORE_FILENAME as STORE_FILENAME
from scribe_eval.store._location import default_runs_dir as default_runs_dir
from scribe_eval.store._rows import (
    CELL_ORDER,
    LISTING_COLUMNS,
    RUN_ORDER,
    RunListing,
    RunStatus,
    listing_from_row,
)
from scribe_eval.store._schema import MIGRATIONS
from scribe_eval.store._sqlite_extra import SqliteExtras, entry_from_row

# The records are imported where one is built (see `RunStore`): opening the file and listing
# its runs needs no pydantic.
if TYPE_CHECKING:
    from scribe_eval.store._records import CacheEntry, CellRecord, RemoteRecord, RunRecord
    from scribe_eval.store._summary import CellSummary

_JSON_RUN_FIELDS = ("target", "config", "provenance")
_JSON_CELL_FIELDS = ("scores", "timings")
_REMOTE_KEY = ("run_id", "key")


class SqliteRunStore(SqliteExtras, RunStore):
    """All runs of one runs directory, in one SQLite file (what ``RunStore(runs_dir)`` opens).

    Args:
        runs_dir: The runs directory; created when missing. The file is ``scribe-eval.sqlite``.
    """

    def __init__(self, runs_dir: Path) -> None:
        self.runs_dir = Path(runs_dir)
        try:
            self.runs_dir.mkdir(parents=True, exist_ok=True)
            self.path = self.runs_dir / STORE_FILENAME
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(
                f"cannot open the run store in {self.runs_dir}: {exc}; "
                "check the folder exists and is writable, or pass --runs-dir"
            ) from exc
        self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            self._db.close()
            if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
                raise
            raise StoreError(
                f"the run store {self.path} is damaged or not a scribe-eval store ({exc}); "
                "restore it from a backup, or point --runs-dir at another folder"
            ) from exc

    def close(self) -> None:
        """Close the database connection."""
        self._db.close()

    def _migrate(self) -> None:
        # An up-to-date store is opened without the write lock: a reader (`runs list` while a run
        # writes) must not queue behind the writer for a lock it has no use for.
        if int(self._db.execute("PRAGMA user_version").fetchone()[0]) == len(MIGRATIONS):
            return
        # The version is read again inside the write lock: two processes opening a new store at
        # once must not both apply migration 1.
        self._db.execute("BEGIN IMMEDIATE")
        try:
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"the run store {self.path} has schema version {version}, newer than this "
                    f"scribe-eval knows ({len(MIGRATIONS)}); upgrade scribe-eval or use another "
                    "--runs-dir"
                )
            for number in range(version, len(MIGRATIONS)):
                for statement in MIGRATIONS[number].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {number + 1}")
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # Runs

    def create_run(self, run: RunRecord) -> None:
        """Store a new run (its id must be new)."""
        row = run.model_dump()
        for field in _JSON_RUN_FIELDS:
            row[field] = json.dumps(row[field], sort_keys=True)
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        try:
            self._db.execute(f"INSERT INTO runs ({columns}) VALUES ({marks})", row)
        except sqlite3.IntegrityError as exc:
            raise StoreError(f"a run with id {run.id!r} already exists") from exc

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this exact id; StoreError naming the id when there is none."""
        row = self._db.execute("SELECT * FROM runs WHERE id = ?", (run_id,)).fetchone()
        if row is None:
            raise StoreError(
                f"no run {run_id!r} in {self.path}; `scribe-eval runs list` shows the runs there"
            )
        return _run_from_row(row)

    def list_runs(self) -> list[RunRecord]:
        """Every run, newest first."""
        rows = self._db.execute(f"SELECT * FROM runs ORDER BY {RUN_ORDER}").fetchall()
        return [_run_from_row(row) for row in rows]

    def run_listings(self) -> list[RunListing]:
        """Every run as `runs list` shows it, newest first, without building its record."""
        rows = self._db.execute(f"SELECT {LISTING_COLUMNS} FROM runs ORDER BY {RUN_ORDER}")
        return [listing_from_row(dict(row)) for row in rows]

    def resolve_run(self, ref: str) -> RunRecord:
        """A run by id, unique id prefix, ``latest``, or the name of a blessed baseline."""
        if ref == "latest":
            row = self._db.execute(f"SELECT id FROM runs ORDER BY {RUN_ORDER} LIMIT 1").fetchone()
            if row is None:
                raise StoreError(f"no runs in {self.path} yet; start one with `scribe-eval run`")
            return self.get_run(str(row["id"]))
        blessed = self._db.execute("SELECT run_id FROM baselines WHERE name = ?", (ref,)).fetchone()
        if blessed is not None:
            return self.get_run(str(blessed["run_id"]))
        rows = self._db.execute(
            "SELECT id FROM runs WHERE id = ? OR id LIKE ? ORDER BY id", (ref, f"{ref}%")
        ).fetchall()
        ids = [str(r["id"]) for r in rows]
        if ref in ids:
            return self.get_run(ref)
        if len(ids) == 1:
            return self.get_run(ids[0])
        if len(ids) > 1:
            raise StoreError(f"run reference {ref!r} matches {len(ids)} runs; give more of the id")
        raise StoreError(
            f"no run or baseline named {ref!r} in {self.path}; `scribe-eval runs list` shows them"
        )

    def update_run(
        self,
        run_id: str,
        *,
        status: RunStatus | None = None,
        finished: str | None = None,
        api_calls_delta: int = 0,
        notes: str | None = None,
        provenance: dict[str, Any] | None = None,
        expired_cache_delta: int = 0,
    ) -> None:
        """Change a run's status, finish time, API call count, notes or provenance (replaced;
        ``notes=""`` clears the notes); the call and expired-cache counts are added to (several
        processes may add at once)."""
        self.get_run(run_id)
        self._db.execute(
            "UPDATE runs SET status = COALESCE(?, status), finished = COALESCE(?, finished), "
            "api_calls = api_calls + ?, notes = NULLIF(COALESCE(?, notes), ''), "
            "provenance = COALESCE(?, provenance), expired_cache = expired_cache + ? "
            "WHERE id = ?",
            (
                status,
                finished,
                api_calls_delta,
                notes,
                _json_or_none(provenance),
                expired_cache_delta,
                run_id,
            ),
        )

    def baselines(self) -> dict[str, str]:
        """Baseline name -> run id."""
        rows = self._db.execute("SELECT name, run_id FROM baselines ORDER BY name").fetchall()
        return {str(r["name"]): str(r["run_id"]) for r in rows}

    # Cells

    def put_cell(self, cell: CellRecord, *, api_calls_delta: int = 0) -> None:
        """Insert or replace a cell (committed at once), with the calls it carries."""
        from scribe_eval.store._summary import figures_json

        row = cell.model_dump()
        row["from_cache"] = int(cell.from_cache)
        row["updated"] = cell.updated or utc_now()
        for field in _JSON_CELL_FIELDS:
            row[field] = json.dumps(row[field], sort_keys=True)
        row["figures"] = figures_json(row["scores"], cell.scores)
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        claim = cell.cache_key is not None and not cell.from_cache
        with self._write() if claim or api_calls_delta else nullcontext():
            self._db.execute(f"INSERT OR REPLACE INTO cells ({columns}) VALUES ({marks})", row)
            if claim:
                assert cell.cache_key is not None
                self._claim_cache_entry(cell.cache_key, cell.run_id)
            self._count_calls(cell.run_id, api_calls_delta)

    def cells(self, run_id: str) -> list[CellRecord]:
        """Every cell of a run, transcripts first, in a stable order."""
        rows = self._db.execute(
            f"SELECT * FROM cells WHERE run_id = ? ORDER BY {CELL_ORDER}", (run_id,)
        ).fetchall()
        return [_cell_from_row(row) for row in rows]

    def cell_summaries(self, run_id: str) -> list[CellSummary]:
        """Every cell of a run without its full scores, in the order of `cells`."""
        from scribe_eval.store._summary import SUMMARY_COLUMNS, summaries_from_rows

        cursor = self._db.execute(
            f"SELECT {SUMMARY_COLUMNS} FROM cells WHERE run_id = ? ORDER BY {CELL_ORDER}",
            (run_id,),
        )
        out, backfill = summaries_from_rows(cursor, run_id)
        if backfill:
            self._store_figures(backfill)
        return out

    def _store_figures(self, rows: list[tuple[str, str, str]]) -> None:
        """Keep the figures computed for cells stored before they existed (once per cell)."""
        try:
            with self._write():
                self._db.executemany(
                    "UPDATE cells SET figures = ? WHERE run_id = ? AND cell_id = ? "
                    "AND figures IS NULL",
                    rows,
                )
        except sqlite3.OperationalError:  # a read-only or busy file: computed again next time
            pass

    def encounter_cells(self, run_id: str, encounter_id: str) -> list[CellRecord]:
        """The full cells of one encounter of a run (transcripts first, as in `cells`)."""
        rows = self._db.execute(
            f"SELECT * FROM cells WHERE run_id = ? AND encounter_id = ? ORDER BY {CELL_ORDER}",
            (run_id, encounter_id),
        ).fetchall()
        return [_cell_from_row(row) for row in rows]

    def cell_counts(self, run_id: str) -> dict[tuple[str, str, bool], int]:
        """How many cells per (kind, status, from_cache), counted by SQLite."""
        rows = self._db.execute(
            "SELECT kind, status, from_cache, COUNT(*) FROM cells WHERE run_id = ? "
            "GROUP BY kind, status, from_cache",
            (run_id,),
        ).fetchall()
        return {(row[0], row[1], bool(row[2])): int(row[3]) for row in rows}

    def failed_cell_counts(self) -> dict[str, int]:
        """Run id -> its failed cells, counted by SQLite on the (run_id, status) index."""
        rows = self._db.execute(
            "SELECT run_id, COUNT(*) FROM cells WHERE status = 'error' GROUP BY run_id"
        ).fetchall()
        return {str(row[0]): int(row[1]) for row in rows}

    def failed_tracebacks(self, run_id: str) -> dict[str, str]:
        """Cell id -> the traceback of each failed cell that kept one, in one indexed query."""
        rows = self._db.execute(
            "SELECT cell_id, traceback FROM cells WHERE run_id = ? AND status = 'error' "
            "AND traceback IS NOT NULL",
            (run_id,),
        ).fetchall()
        return {str(row[0]): str(row[1]) for row in rows}

    def get_cell(self, run_id: str, cell_id: str) -> CellRecord | None:
        """One cell, or None."""
        row = self._db.execute(
            "SELECT * FROM cells WHERE run_id = ? AND cell_id = ?", (run_id, cell_id)
        ).fetchone()
        return None if row is None else _cell_from_row(row)

    # The stage cache

    def cache_get(self, key: str) -> CacheEntry | None:
        """The cached answer under ``key``, or None."""
        row = self._db.execute("SELECT * FROM cache WHERE key = ?", (key,)).fetchone()
        return None if row is None else entry_from_row(dict(row))

    def cache_put(
        self,
        key: str,
        stage: str,
        value: dict[str, Any],
        *,
        request_id: str | None = None,
        elapsed_ms: float | None = None,
        expired_run: str | None = None,
        remote: RemoteRecord | None = None,
        api_calls_delta: int = 0,
    ) -> None:
        """Store a stage's answer under ``key`` (committed at once).

        ``expired_run``: the answer replaces one that run found too old; the run's
        ``expired_cache`` count goes up by one with it, atomically (a killed worker's count is
        not lost, and a job retried after the answer was stored does not count it again).
        ``remote``: a remote-resource row written with the answer, its run's call count raised
        by ``api_calls_delta``, in the same transaction."""
        check_carried(remote, api_calls_delta)
        answer = (key, stage, json.dumps(value, sort_keys=True), request_id, elapsed_ms, utc_now())
        put = (
            "INSERT OR REPLACE INTO cache (key, stage, value, request_id, elapsed_ms, created) "
            "VALUES (?, ?, ?, ?, ?, ?)"
        )
        if expired_run is None and remote is None:
            self._db.execute(put, answer)
            return
        with self._write():
            self._db.execute(put, answer)
            if expired_run is not None:
                self._db.execute(
                    "UPDATE runs SET expired_cache = expired_cache + 1 WHERE id = ?", (expired_run,)
                )
            if remote is not None:
                self._replace_remote(remote)
                self._count_calls(remote.run_id, api_calls_delta)

    def cache_count(self) -> int:
        """How many answers the cache holds."""
        return int(self._db.execute("SELECT COUNT(*) FROM cache").fetchone()[0])

    # Remote resources

    def put_remote(self, record: RemoteRecord, *, api_calls_delta: int = 0) -> None:
        """Insert or replace a remote-resource row (committed at once), with the calls it
        carries."""
        with self._write() if api_calls_delta else nullcontext():
            self._replace_remote(record)
            self._count_calls(record.run_id, api_calls_delta)

    def _replace_remote(self, record: RemoteRecord) -> None:
        row = record.model_dump()
        columns = ", ".join(row)
        marks = ", ".join(f":{name}" for name in row)
        self._db.execute(f"INSERT OR REPLACE INTO remote ({columns}) VALUES ({marks})", row)

    def _count_calls(self, run_id: str, delta: int) -> None:
        """Add ``delta`` API calls to the run (inside the caller's transaction)."""
        if delta:
            self._db.execute(
                "UPDATE runs SET api_calls = api_calls + ? WHERE id = ?", (delta, run_id)
            )

    def put_remote_if(
        self, record: RemoteRecord, *, expected: RemoteRecord | None, api_calls_delta: int = 0
    ) -> bool:
        """Write ``record`` only if the row under its key is still ``expected`` (None: no row);
        True when written (and only then are the calls it carries counted)."""
        row = record.model_dump()
        if expected is None:
            columns = ", ".join(row)
            marks = ", ".join(f":{name}" for name in row)
            query = f"INSERT INTO remote ({columns}) VALUES ({marks}) ON CONFLICT DO NOTHING"
            args = row
        else:
            sets = ", ".join(f"{name} = :{name}" for name in row if name not in _REMOTE_KEY)
            seen = {f"seen_{name}": value for name, value in expected.model_dump().items()}
            # The key by equality (the primary key's index), the rest null-safe.
            same = " AND ".join(
                f"{name} IS :seen_{name}" for name in row if name not in _REMOTE_KEY
            )
            query = f"UPDATE remote SET {sets} WHERE run_id = :run_id AND key = :key AND {same}"
            args = {**row, **seen}
        if not api_calls_delta:
            return self._db.execute(query, args).rowcount == 1
        with self._write():
            written = self._db.execute(query, args).rowcount == 1
            self._count_calls(record.run_id, api_calls_delta if written else 0)
        return written

    def get_remote(self, run_id: str, key: str) -> RemoteRecord | None:
        """The remote-resource row of a run under ``key``, or None."""
        row = self._db.execute(
            "SELECT * FROM remote WHERE run_id = ? AND key = ?", (run_id, key)
        ).fetchone()
        return None if row is None else _remote_from_row(row)

    def get_remotes(self, run_id: str, keys: Collection[str]) -> list[RemoteRecord]:
        """The rows of a run under ``keys`` that exist, by key, in one query."""
        wanted = sorted(set(keys))
        rows = self._db.execute(
            "SELECT * FROM remote WHERE run_id = ? AND key IN (SELECT value FROM json_each(?)) "
            "ORDER BY key",
            (run_id, json.dumps(wanted)),
        ).fetchall()
        return [_remote_from_row(row) for row in rows]

    def remotes(self, run_id: str, *, kind: str | None = None) -> list[RemoteRecord]:
        """The remote resources a run created (optionally of one kind)."""
        query = "SELECT * FROM remote WHERE run_id = ?"
        args: tuple[Any, ...] = (run_id,)
        if kind is not None:
            query += " AND kind = ?"
            args = (run_id, kind)
        rows = self._db.execute(query + " ORDER BY key", args).fetchall()
        return [_remote_from_row(row) for row in rows]


def _run_from_row(row: sqlite3.Row) -> RunRecord:
    from scribe_eval.store._records import RunRecord

    data = dict(row)
    for field in _JSON_RUN_FIELDS:
        data[field] = json.loads(data[field])
    return RunRecord.model_validate(data)


def _cell_from_row(row: sqlite3.Row) -> CellRecord:
    from scribe_eval.store._records import CellRecord

    data = dict(row)
    data.pop("figures", None)
    data["from_cache"] = bool(data["from_cache"])
    for field in _JSON_CELL_FIELDS:
        data[field] = json.loads(data[field])
    return CellRecord.model_validate(data)


def _remote_from_row(row: sqlite3.Row) -> RemoteRecord:
    from scribe_eval.store._records import RemoteRecord

    return RemoteRecord.model_validate(dict(row))


RunStore.default_backend = SqliteRunStore


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)
