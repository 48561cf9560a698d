"""The PostgreSQL store's connection helpers, stage cache, governance and copying (a mixin)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import psycopg

from scribe_eval.errors import StoreError
from scribe_eval.store._base import RunStore, check_carried

if TYPE_CHECKING:  # imported where one is built: see `RunStore`
    from psycopg_pool import ConnectionPool

    from scribe_eval.store._records import BaselineEvent, CacheEntry, RemoteRecord, RunRecord

Row = dict[str, Any]
Args = tuple[Any, ...] | dict[str, Any]
_EVENT_COLUMNS = 'name, run_id, previous_run_id, "user", reason, blessed, forced'

#: Adds the API calls a write carries to its run, as a common table expression of the write's
#: own statement (parameters ``api_calls_delta`` and ``run_id``).
COUNTED = (
    "counted AS (UPDATE runs SET api_calls = api_calls + %(api_calls_delta)s WHERE id = %(run_id)s)"
)


def insert_sql(table: str, row: dict[str, Any], *, prefix: str = "") -> str:
    """``INSERT INTO table (columns) VALUES (...)`` with a named parameter per column of
    ``row`` (named ``prefix`` + column)."""
    columns = ", ".join(row)
    marks = ", ".join(f"%({prefix}{name})s" for name in row)
    return f"INSERT INTO {table} ({columns}) VALUES ({marks})"


def upsert_sql(table: str, row: dict[str, Any], key: tuple[str, ...], *, prefix: str = "") -> str:
    """`insert_sql` that replaces the row with the same ``key``."""
    updates = ", ".join(f"{c} = excluded.{c}" for c in row if c not in key)
    insert = insert_sql(table, row, prefix=prefix)
    return f"{insert} ON CONFLICT ({', '.join(key)}) DO UPDATE SET {updates}"


def with_ctes(ctes: list[str], statement: str) -> str:
    """``statement`` preceded by the common table expressions ``ctes``: each is executed once,
    with the statement, in its transaction, whether read or not."""
    return f"WITH {', '.join(ctes)} {statement}" if ctes else statement


class OneConnection:
    """One connection standing in for the pool of a store opened to read (a short command)."""

    def __init__(self, conn: psycopg.Connection[Row]) -> None:
        self._conn = conn

    @contextmanager
    def connection(self) -> Iterator[psycopg.Connection[Row]]:
        """The connection (psycopg serialises its use across threads)."""
        yield self._conn

    def close(self) -> None:
        """Close the connection."""
        self._conn.close()


class PgExtras(RunStore):
    """Pooled queries, the stage cache, baselines and copying on ``self._pool``."""

    _pool: ConnectionPool[psycopg.Connection[Row]] | OneConnection

    @contextmanager
    def _conn(self) -> Iterator[psycopg.Connection[Row]]:
        with self._pool.connection() as conn:
            yield conn

    def _one(self, query: str, args: Args = ()) -> Row | None:
        with self._conn() as conn:
            return conn.execute(query, args).fetchone()

    def _all(self, query: str, args: Args = ()) -> list[Row]:
        with self._conn() as conn:
            return conn.execute(query, args).fetchall()

    def _run_sql(self, query: str, args: Args = ()) -> int:
        with self._conn() as conn:
            return conn.execute(query, args).rowcount

    # The stage cache

    def cache_get(self, key: str) -> CacheEntry | None:
        """The cached answer under ``key``, or None."""
        row = self._one("SELECT * FROM cache WHERE key = %s", (key,))
        return None if row is None else _entry_from_row(row)

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
        by ``api_calls_delta``, in the same statement."""
        from scribe_eval.store._clock import utc_now

        check_carried(remote, api_calls_delta)
        args: dict[str, Any] = {
            "key": key, "stage": stage, "value": json.dumps(value, sort_keys=True),
            "request_id": request_id, "elapsed_ms": elapsed_ms, "created": utc_now(),
            "expired_run": expired_run, "api_calls_delta": api_calls_delta,
            "calls_run": None if remote is None else remote.run_id,
        }  # fmt: skip
        # One statement in every case: the counts and the row ride on the answer's round trip.
        # The runs are updated by one expression (a row updated twice by one statement keeps
        # one of the two changes only).
        counts = []
        if expired_run is not None:
            counts.append(
                "expired_cache = expired_cache + CASE WHEN id = %(expired_run)s THEN 1 ELSE 0 END"
            )
        if api_calls_delta:
            counts.append(
                "api_calls = api_calls + CASE WHEN id = %(calls_run)s THEN %(api_calls_delta)s "
                "ELSE 0 END"
            )
        ctes = []
        if counts:
            ctes.append(
                f"counts AS (UPDATE runs SET {', '.join(counts)} WHERE id IN (%(expired_run)s, "
                "%(calls_run)s))"
            )
        if remote is not None:
            row = remote.model_dump()
            args.update({f"remote_{name}": value for name, value in row.items()})
            upsert = upsert_sql("remote", row, ("run_id", "key"), prefix="remote_")
            ctes.append(f"remote AS ({upsert})")
        self._run_sql(
            with_ctes(
                ctes,
                "INSERT INTO cache (key, stage, value, request_id, elapsed_ms, created) VALUES "
                "(%(key)s, %(stage)s, %(value)s, %(request_id)s, %(elapsed_ms)s, %(created)s) ON "
                "CONFLICT (key) DO UPDATE SET stage = excluded.stage, value = excluded.value, "
                "request_id = excluded.request_id, elapsed_ms = excluded.elapsed_ms, created = "
                "excluded.created, run_id = NULL",
            ),
            args,
        )

    def cache_count(self) -> int:
        """How many answers the cache holds."""
        row = self._one("SELECT count(*) AS n FROM cache")
        return 0 if row is None else int(row["n"])

    def shared_cells(self, run_id: str) -> dict[str, str]:
        """Cell id -> the other run whose call made the cached answer this cell reused."""
        rows = self._all(
            "SELECT c.cell_id, k.run_id FROM cells c JOIN cache k ON k.key = c.cache_key "
            "WHERE c.run_id = %s AND c.from_cache AND k.run_id IS NOT NULL "
            "AND k.run_id <> c.run_id ORDER BY c.cell_id",
            (run_id,),
        )
        return {str(r["cell_id"]): str(r["run_id"]) for r in rows}

    def cache_entries(self) -> list[CacheEntry]:
        """Every cached answer, oldest first."""
        return [_entry_from_row(r) for r in self._all("SELECT * FROM cache ORDER BY created, key")]

    def import_cache_entry(self, entry: CacheEntry) -> bool:
        """Store a copied cache entry unless its key is present; True when it was added."""
        added = self._run_sql(
            "INSERT INTO cache (key, stage, value, request_id, elapsed_ms, created, run_id) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (key) DO NOTHING",
            (
                entry.key, entry.stage, json.dumps(entry.value, sort_keys=True),
                entry.request_id, entry.elapsed_ms, entry.created, entry.run_id,
            ),
        )  # fmt: skip
        return added > 0

    # Baselines

    def baselines(self) -> dict[str, str]:
        """Baseline name -> run id."""
        rows = self._all("SELECT name, run_id FROM baselines ORDER BY name")
        return {str(r["name"]): str(r["run_id"]) for r in rows}

    def _record_blessing(self, event: BaselineEvent) -> None:
        with self._conn() as conn, conn.transaction():
            row = conn.execute(
                "SELECT run_id FROM baselines WHERE name = %s FOR UPDATE", (event.name,)
            ).fetchone()
            if (None if row is None else str(row["run_id"])) != event.previous_run_id:
                raise StoreError(
                    f"baseline {event.name!r} was moved by someone else meanwhile; look at "
                    "`scribe-eval runs baselines` and bless again"
                )
            _append_blessing(conn, event)

    def baseline_history(self, name: str | None = None) -> list[BaselineEvent]:
        """Every blessing (of one baseline, or all), oldest first."""
        from scribe_eval.store._records import BaselineEvent

        rows = self._all(
            f"SELECT {_EVENT_COLUMNS} FROM baseline_events WHERE %s::text IS NULL OR name = %s "
            "ORDER BY seq",
            (name, name),
        )
        return [BaselineEvent.model_validate(r) for r in rows]

    def import_baseline_event(self, event: BaselineEvent) -> None:
        """Append a copied blessing and point the baseline at its run (no --force check)."""
        with self._conn() as conn, conn.transaction():
            _append_blessing(conn, event)


def _append_blessing(conn: psycopg.Connection[Row], event: BaselineEvent) -> None:
    conn.execute(
        "INSERT INTO baselines (name, run_id, blessed) VALUES (%s, %s, %s) ON CONFLICT (name) "
        "DO UPDATE SET run_id = excluded.run_id, blessed = excluded.blessed",
        (event.name, event.run_id, event.blessed),
    )
    conn.execute(
        f"INSERT INTO baseline_events ({_EVENT_COLUMNS}) VALUES (%(name)s, %(run_id)s, "
        "%(previous_run_id)s, %(user)s, %(reason)s, %(blessed)s, %(forced)s)",
        event.model_dump(),
    )


def run_from_row(row: Row) -> RunRecord:
    """A run record from a ``runs`` row (JSON columns decoded)."""
    from scribe_eval.store._records import RunRecord

    data = dict(row)
    for field in ("target", "config", "provenance"):
        data[field] = json.loads(data[field])
    return RunRecord.model_validate(data)


def _entry_from_row(row: Row) -> CacheEntry:
    from scribe_eval.store._records import CacheEntry

    data = dict(row)
    data["value"] = json.loads(data["value"])
    return CacheEntry.model_validate(data)
