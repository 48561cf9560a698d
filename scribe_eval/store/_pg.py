"""The PostgreSQL team store: the same records as the SQLite file, shared by a team and CI.

Opened from a ``postgresql://`` URL through a psycopg 3 connection pool; every write commits at
once (autocommit, without waiting for the disk flush: see ``_configure``). A command that only
reads opens it with ``read_only=True``: one plain connection, no pool (importing psycopg_pool and
opening a second connection were a third of ``runs list``), and one query, the schema version: no
DDL, no ``SET``, no schema change unless the store's schema is older than this scribe-eval. What
``runs list`` pays beyond the SQLite file's is then importing psycopg itself (~0.09 s of ~0.2 s
on an idle 2-core machine: its package loads every type adapter, asyncio, and importlib.metadata
for its version), against ~5 ms for connecting and ~5 ms for the queries. The password comes
from the URL or libpq's environment (``PGPASSWORD``, ``~/.pgpass``) and is never stored, logged
or shown: messages carry the URL without it. Lease times come from the server's clock, so
machines with skewed clocks agree on who holds a run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg.rows import dict_row

from scribe_eval.errors import RunLockedError, StoreError
from scribe_eval.store._base import RunStore, locked_message
from scribe_eval.store._location import missing_store_message
from scribe_eval.store._pg_more import (
    COUNTED,
    OneConnection,
    PgExtras,
    Row,
    insert_sql,
    run_from_row,
    upsert_sql,
    with_ctes,
)
from scribe_eval.store._pg_schema import MIGRATION_LOCK, PG_MIGRATIONS
from scribe_eval.store._rows import (
    CELL_ORDER,
    LISTING_COLUMNS,
    RUN_ORDER,
    RunListing,
    RunStatus,
    listing_from_row,
)
from scribe_eval.store._urls import redact_url

if TYPE_CHECKING:  # imported where one is built: see `RunStore`
    from scribe_eval.store._records import CellRecord, Lease, RemoteRecord, RunRecord
    from scribe_eval.store._summary import CellSummary

_JSON_RUN_FIELDS = ("target", "config", "provenance")
_JSON_CELL_FIELDS = ("scores", "timings")
_REMOTE_KEY = ("run_id", "key")
_ISO = """to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')"""
_LEASE_COLUMNS = ", ".join(
    ["run_id", "token", "host", "pid"]
    + [f"{_ISO.format(c)} AS {c}" for c in ("since", "heartbeat", "expires")]
)


class PgRunStore(PgExtras, RunStore):
    """Every run of a team, in one PostgreSQL database (or schema).

    Args:
        url: ``postgresql://user[:password]@host:port/database[?options=...]``.
        runs_dir: The local runs directory (target state and models stay on each machine).
        pool_size: Most connections held open at once.
        read_only: The store must exist already (StoreError otherwise, nothing created); its
            queries share one connection.
    """

    def __init__(
        self, url: str, *, runs_dir: Path, pool_size: int = 4, read_only: bool = False
    ) -> None:
        self.runs_dir = Path(runs_dir)
        self._url = url
        self._location = redact_url(url)
        if read_only:
            self._pool = self._open_existing()
            return
        from psycopg_pool import ConnectionPool

        self._migrate()
        pool: ConnectionPool[psycopg.Connection[Row]] = ConnectionPool(
            url, min_size=1, max_size=pool_size, open=False, name="scribe-eval",
            kwargs={"autocommit": True, "row_factory": dict_row}, configure=_configure,
        )  # fmt: skip
        pool.open(wait=True, timeout=30)
        self._pool = pool

    @property
    def location(self) -> str:
        """The store's URL without its password."""
        return self._location

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.close()

    def reopen(self) -> RunStore:
        """A new pool on the same database."""
        return PgRunStore(self._url, runs_dir=self.runs_dir)

    def _connect(self, **kwargs: Any) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self._url, autocommit=True, connect_timeout=10, **kwargs)
        except psycopg.Error as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise StoreError(
                f"cannot reach the PostgreSQL store {self._location}: {first}; check the server "
                "is up and the URL (or PGHOST, PGUSER, PGPASSWORD)"
            ) from None

    def _open_existing(self) -> OneConnection:
        """One connection to a store that must exist; its schema is brought up to date only
        when older than this scribe-eval's (what any command did before reading)."""
        conn: psycopg.Connection[Row] = self._connect(row_factory=dict_row)
        try:
            # One round trip. In autocommit a failed statement leaves nothing to roll back; and
            # no `_configure`: its setting only speeds up writes, which a reader hardly makes.
            try:
                row = conn.execute("SELECT max(version) AS v FROM scribe_eval_schema").fetchone()
            except psycopg.errors.UndefinedTable:
                row = None
            if row is None or row["v"] is None:
                raise StoreError(missing_store_message(self._location))
            if int(row["v"]) != len(PG_MIGRATIONS):
                self._migrate()  # or says the store is newer than this scribe-eval
        except BaseException:
            conn.close()
            raise
        return OneConnection(conn)

    def _migrate(self) -> None:
        conn = self._connect()
        with conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS scribe_eval_schema (version INTEGER)")
            row = conn.execute("SELECT max(version) FROM scribe_eval_schema").fetchone()
            version = int(row[0]) if row is not None and row[0] is not None else 0
            if version > len(PG_MIGRATIONS):
                raise StoreError(
                    f"the PostgreSQL store {self._location} has schema version {version}, newer "
                    f"than this scribe-eval knows ({len(PG_MIGRATIONS)}); upgrade scribe-eval"
                )
            for number in range(version, len(PG_MIGRATIONS)):
                conn.execute(PG_MIGRATIONS[number].encode())
            conn.execute("DELETE FROM scribe_eval_schema")
            conn.execute("INSERT INTO scribe_eval_schema VALUES (%s)", (len(PG_MIGRATIONS),))

    # Runs

    def create_run(self, run: RunRecord) -> None:
        """Store a new run (its id must be new)."""
        row = run.model_dump()
        for field in _JSON_RUN_FIELDS:
            row[field] = json.dumps(row[field], sort_keys=True)
        try:
            self._run_sql(insert_sql("runs", row), row)
        except psycopg.errors.UniqueViolation as exc:
            raise StoreError(f"a run with id {run.id!r} already exists") from exc

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this exact id; StoreError naming the id when there is none."""
        row = self._one("SELECT * FROM runs WHERE id = %s", (run_id,))
        if row is None:
            raise StoreError(
                f"no run {run_id!r} in {self._location}; `scribe-eval runs list` shows the runs "
                "there"
            )
        return run_from_row(row)

    def list_runs(self) -> list[RunRecord]:
        """Every run, newest first."""
        return [run_from_row(r) for r in self._all(f"SELECT * FROM runs ORDER BY {RUN_ORDER}")]

    def run_listings(self) -> list[RunListing]:
        """Every run as `runs list` shows it, newest first, without building its record."""
        rows = self._all(f"SELECT {LISTING_COLUMNS} FROM runs ORDER BY {RUN_ORDER}")
        return [listing_from_row(row) for row in rows]

    def resolve_run(self, ref: str) -> RunRecord:
        """A run by id, unique id prefix, ``latest``, or the name of a blessed baseline."""
        if ref == "latest":
            row = self._one(f"SELECT id FROM runs ORDER BY {RUN_ORDER} LIMIT 1")
            if row is None:
                raise StoreError(
                    f"no runs in {self._location} yet; start one with `scribe-eval run`"
                )
            return self.get_run(str(row["id"]))
        blessed = self._one("SELECT run_id FROM baselines WHERE name = %s", (ref,))
        if blessed is not None:
            return self.get_run(str(blessed["run_id"]))
        rows = self._all(
            "SELECT id FROM runs WHERE id = %s OR starts_with(id, %s) ORDER BY id", (ref, ref)
        )
        ids = [str(r["id"]) for r in rows]
        if ref in ids or len(ids) == 1:
            return self.get_run(ref if ref in ids else ids[0])
        if len(ids) > 1:
            raise StoreError(f"run reference {ref!r} matches {len(ids)} runs; give more of the id")
        raise StoreError(
            f"no run or baseline named {ref!r} in {self._location}; `scribe-eval runs list` shows "
            "them"
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
        processes may add at once).

        One statement: a worker adds its calls after every job, and reading the run back first
        (its whole configuration, parsed) cost a second round trip each time.
        """
        changed = self._run_sql(
            "UPDATE runs SET status = COALESCE(%s, status), finished = COALESCE(%s, finished), "
            "api_calls = api_calls + %s, notes = NULLIF(COALESCE(%s, notes), ''), "
            "provenance = COALESCE(%s, provenance), expired_cache = expired_cache + %s "
            "WHERE id = %s",
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
        if changed == 0:
            self.get_run(run_id)  # raises StoreError naming the run

    # Cells

    def put_cell(self, cell: CellRecord, *, api_calls_delta: int = 0) -> None:
        """Insert or replace a cell (committed at once), with the calls it carries."""
        from scribe_eval.store._clock import utc_now
        from scribe_eval.store._summary import figures_json

        row = cell.model_dump()
        row["updated"] = cell.updated or utc_now()
        for field in _JSON_CELL_FIELDS:
            row[field] = json.dumps(row[field], sort_keys=True)
        row["figures"] = figures_json(row["scores"], cell.scores)
        # The cache entry's maker and the calls carried, in the same statement (all, or none,
        # are applied).
        claim = cell.cache_key is not None and not cell.from_cache
        ctes = [COUNTED] if api_calls_delta else []
        if claim:
            ctes.append(
                "claimed AS (UPDATE cache SET run_id = %(run_id)s WHERE key = %(cache_key)s AND "
                "run_id IS NULL)"
            )
        upsert = upsert_sql("cells", row, ("run_id", "cell_id"))
        self._run_sql(with_ctes(ctes, upsert), {**row, "api_calls_delta": api_calls_delta})

    def cells(self, run_id: str) -> list[CellRecord]:
        """Every cell of a run, transcripts first, in a stable order."""
        rows = self._all(f"SELECT * FROM cells WHERE run_id = %s ORDER BY {CELL_ORDER}", (run_id,))
        return [_cell_from_row(row) for row in rows]

    def cell_summaries(self, run_id: str) -> list[CellSummary]:
        """Every cell of a run without its full scores, in the order of `cells`."""
        from scribe_eval.store._summary import SUMMARY_COLUMNS, summaries_from_rows

        with self._conn() as conn:
            cursor = conn.execute(
                f"SELECT {SUMMARY_COLUMNS} FROM cells WHERE run_id = %s ORDER BY {CELL_ORDER}",
                (run_id,),
            )
            out, backfill = summaries_from_rows(cursor, run_id)
        if backfill:
            self._store_figures(backfill)
        return out

    def _store_figures(self, rows: list[tuple[str, str, str]]) -> None:
        """Keep the figures computed for cells stored before they existed (once per cell)."""
        try:
            with self._conn() as conn, conn.transaction(), conn.cursor() as cursor:
                cursor.executemany(
                    "UPDATE cells SET figures = %s WHERE run_id = %s AND cell_id = %s "
                    "AND figures IS NULL",
                    rows,
                )
        except (psycopg.errors.InsufficientPrivilege, psycopg.errors.ReadOnlySqlTransaction):
            pass  # a read-only role or replica: the figures are computed again next time

    def encounter_cells(self, run_id: str, encounter_id: str) -> list[CellRecord]:
        """The full cells of one encounter of a run (transcripts first, as in `cells`)."""
        rows = self._all(
            f"SELECT * FROM cells WHERE run_id = %s AND encounter_id = %s ORDER BY {CELL_ORDER}",
            (run_id, encounter_id),
        )
        return [_cell_from_row(row) for row in rows]

    def cell_counts(self, run_id: str) -> dict[tuple[str, str, bool], int]:
        """How many cells per (kind, status, from_cache), counted by PostgreSQL."""
        rows = self._all(
            "SELECT kind, status, from_cache, COUNT(*) AS n FROM cells WHERE run_id = %s "
            "GROUP BY kind, status, from_cache",
            (run_id,),
        )
        return {(r["kind"], r["status"], bool(r["from_cache"])): int(r["n"]) for r in rows}

    def failed_cell_counts(self) -> dict[str, int]:
        """Run id -> its failed cells, counted by PostgreSQL."""
        rows = self._all(
            "SELECT run_id, COUNT(*) AS n FROM cells WHERE status = 'error' GROUP BY run_id"
        )
        return {str(r["run_id"]): int(r["n"]) for r in rows}

    def failed_tracebacks(self, run_id: str) -> dict[str, str]:
        """Cell id -> the traceback of each failed cell that kept one, in one indexed query."""
        rows = self._all(
            "SELECT cell_id, traceback FROM cells WHERE run_id = %s AND status = 'error' "
            "AND traceback IS NOT NULL",
            (run_id,),
        )
        return {str(r["cell_id"]): str(r["traceback"]) for r in rows}

    def get_cell(self, run_id: str, cell_id: str) -> CellRecord | None:
        """One cell, or None."""
        row = self._one("SELECT * FROM cells WHERE run_id = %s AND cell_id = %s", (run_id, cell_id))
        return None if row is None else _cell_from_row(row)

    # Remote resources

    def put_remote(self, record: RemoteRecord, *, api_calls_delta: int = 0) -> None:
        """Insert or replace a remote-resource row (committed at once), with the calls it
        carries, in one statement."""
        row = record.model_dump()
        upsert = upsert_sql("remote", row, _REMOTE_KEY)
        self._run_sql(
            with_ctes([COUNTED] if api_calls_delta else [], upsert),
            {**row, "api_calls_delta": api_calls_delta},
        )

    def put_remote_if(
        self, record: RemoteRecord, *, expected: RemoteRecord | None, api_calls_delta: int = 0
    ) -> bool:
        """Write ``record`` only if the row under its key is still ``expected`` (None: no row),
        in one statement; True when written (and only then are the calls it carries counted)."""
        row = record.model_dump()
        args = {**row, "api_calls_delta": api_calls_delta}
        if expected is None:
            query = f"{insert_sql('remote', row)} ON CONFLICT DO NOTHING"
        else:
            sets = ", ".join(f"{name} = %({name})s" for name in row if name not in _REMOTE_KEY)
            args.update({f"seen_{name}": value for name, value in expected.model_dump().items()})
            # The key by equality (an IS NOT DISTINCT FROM on it scans the whole table), the
            # rest null-safe.
            others = (name for name in row if name not in _REMOTE_KEY)
            same = " AND ".join(f"{name} IS NOT DISTINCT FROM %(seen_{name})s" for name in others)
            query = (
                f"UPDATE remote SET {sets} WHERE run_id = %(run_id)s AND key = %(key)s AND {same}"
            )
        if not api_calls_delta:
            return self._run_sql(query, args) == 1
        written = self._one(
            f"WITH written AS ({query} RETURNING 1), counted AS (UPDATE runs SET api_calls = "
            "api_calls + %(api_calls_delta)s WHERE id = %(run_id)s AND EXISTS (SELECT FROM "
            "written)) SELECT count(*) AS n FROM written",
            args,
        )
        return written is not None and int(written["n"]) == 1

    def get_remote(self, run_id: str, key: str) -> RemoteRecord | None:
        """The remote-resource row of a run under ``key``, or None."""
        row = self._one("SELECT * FROM remote WHERE run_id = %s AND key = %s", (run_id, key))
        return None if row is None else _remote_from_row(row)

    def get_remotes(self, run_id: str, keys: Collection[str]) -> list[RemoteRecord]:
        """The rows of a run under ``keys`` that exist, by key, in one indexed query."""
        rows = self._all(
            "SELECT * FROM remote WHERE run_id = %s AND key = ANY(%s) ORDER BY key",
            (run_id, sorted(set(keys))),
        )
        return [_remote_from_row(row) for row in rows]

    def remotes(self, run_id: str, *, kind: str | None = None) -> list[RemoteRecord]:
        """The remote resources a run created (optionally of one kind)."""
        rows = self._all(
            "SELECT * FROM remote WHERE run_id = %s AND (%s::text IS NULL OR kind = %s) "
            "ORDER BY key",
            (run_id, kind, kind),
        )
        return [_remote_from_row(row) for row in rows]

    # Leases, on the server's clock

    def acquire_lease(
        self,
        run_id: str,
        *,
        ttl_s: float = 60.0,
        take_over: bool = False,
        stale_token: str | None = None,
    ) -> Lease:
        """Take the run's lease; RunLockedError names the live holder unless ``take_over``."""
        import secrets  # here, not at the top: a command that only reads takes no lease
        import socket

        row = self._one(
            "INSERT INTO leases AS l (run_id, token, host, pid, since, heartbeat, expires) "
            "VALUES (%(run_id)s, %(token)s, %(host)s, %(pid)s, clock_timestamp(), "
            "clock_timestamp(), clock_timestamp() + make_interval(secs => %(ttl)s)) "
            "ON CONFLICT (run_id) DO UPDATE SET token = excluded.token, host = excluded.host, "
            "pid = excluded.pid, since = excluded.since, heartbeat = excluded.heartbeat, "
            "expires = excluded.expires WHERE l.expires < clock_timestamp() OR %(take)s "
            "OR l.token = %(stale)s "
            f"RETURNING {_LEASE_COLUMNS}",
            {
                "run_id": run_id, "token": secrets.token_hex(16), "host": socket.gethostname(),
                "pid": os.getpid(), "ttl": ttl_s, "take": take_over, "stale": stale_token,
            },
        )  # fmt: skip
        if row is None:
            raise RunLockedError(locked_message(self._lease_of(run_id)))
        return _lease_from_row(row)

    def renew_lease(self, run_id: str, token: str, *, ttl_s: float = 60.0) -> None:
        """Extend our lease by ``ttl_s`` from now; RunLockedError when it is no longer ours."""
        changed = self._run_sql(
            "UPDATE leases SET heartbeat = clock_timestamp(), expires = clock_timestamp() + "
            "make_interval(secs => %s) WHERE run_id = %s AND token = %s",
            (ttl_s, run_id, token),
        )
        if changed == 0:
            holder = self._one(f"SELECT {_LEASE_COLUMNS} FROM leases WHERE run_id = %s", (run_id,))
            if holder is None:
                raise RunLockedError(f"the lease of run {run_id} is gone; stop this runner")
            raise RunLockedError(locked_message(_lease_from_row(holder)))

    def release_lease(self, run_id: str, token: str) -> None:
        """Give the lease up (nothing happens when it is no longer ours)."""
        self._run_sql("DELETE FROM leases WHERE run_id = %s AND token = %s", (run_id, token))

    def lease(self, run_id: str) -> Lease | None:
        """The run's lease as stored (possibly expired), or None when nobody holds it."""
        row = self._one(f"SELECT {_LEASE_COLUMNS} FROM leases WHERE run_id = %s", (run_id,))
        return None if row is None else _lease_from_row(row)

    def _lease_of(self, run_id: str) -> Lease:
        row = self._one(f"SELECT {_LEASE_COLUMNS} FROM leases WHERE run_id = %s", (run_id,))
        if row is None:  # released between our insert and this read: say so, the caller retries
            raise RunLockedError(f"run {run_id}'s lease changed hands just now; try again")
        return _lease_from_row(row)


def _configure(conn: psycopg.Connection[Row]) -> None:
    # The durability of the SQLite store's WAL with synchronous=NORMAL: a commit returns before
    # its WAL record reaches the disk. A killed client loses nothing (the server has the commit);
    # only a crash of the server's machine can lose the last fraction of a second, never
    # consistency. It makes each cell's commit about one disk flush cheaper.
    conn.execute("SET synchronous_commit = off")


def _cell_from_row(row: Row) -> CellRecord:
    from scribe_eval.store._records import CellRecord

    data = dict(row)
    data.pop("figures", None)
    for field in _JSON_CELL_FIELDS:
        data[field] = json.loads(data[field])
    return CellRecord.model_validate(data)


def _remote_from_row(row: Row) -> RemoteRecord:
    from scribe_eval.store._records import RemoteRecord

    return RemoteRecord.model_validate(row)


def _lease_from_row(row: Row) -> Lease:
    from scribe_eval.store._records import Lease

    return Lease.model_validate(row)


def _json_or_none(value: dict[str, Any] | None) -> str | None:
    return None if value is None else json.dumps(value, sort_keys=True)
