"""The SQLite store's leases, governance, cache origin and copying (a mixin of ``SqliteRunStore``).

Kept apart from ``_store.py`` so that the core file stays small; every method here runs on the
store's one connection, ``self._db``, and writes inside ``BEGIN IMMEDIATE`` where it reads first.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scribe_eval.errors import RunLockedError, StoreError
from scribe_eval.store._base import RunStore, locked_message

if TYPE_CHECKING:  # imported where one is built: see `RunStore`
    from scribe_eval.store._records import BaselineEvent, CacheEntry, Lease


class SqliteExtras(RunStore):
    """Leases, governance and cache-origin queries on ``self._db``."""

    _db: sqlite3.Connection
    path: Path

    @property
    def location(self) -> str:
        """The SQLite file's path."""
        return str(self.path)

    def reopen(self) -> RunStore:
        """A new connection to the same file."""
        return RunStore(self.runs_dir)

    @contextmanager
    def _write(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # Leases

    def acquire_lease(
        self,
        run_id: str,
        *,
        ttl_s: float = 60.0,
        take_over: bool = False,
        stale_token: str | None = None,
    ) -> Lease:
        """Take the run's lease (the local clock; one file means one machine's clock)."""
        import secrets  # here, not at the top: a command that only reads takes no lease
        import socket

        from scribe_eval.store._records import Lease

        now = datetime.now(UTC)
        lease = Lease(
            run_id=run_id, token=secrets.token_hex(16), host=socket.gethostname(),
            pid=os.getpid(), since=_iso(now), heartbeat=_iso(now),
            expires=_iso(now + timedelta(seconds=ttl_s)),
        )  # fmt: skip
        with self._write():
            held = self._lease(run_id)
            live = held is not None and held.expires > lease.since
            if held is not None and live and not take_over and held.token != stale_token:
                raise RunLockedError(locked_message(held))
            self._db.execute(
                "INSERT OR REPLACE INTO leases (run_id, token, host, pid, since, heartbeat, "
                "expires) VALUES (:run_id, :token, :host, :pid, :since, :heartbeat, :expires)",
                lease.model_dump(),
            )
        return lease

    def renew_lease(self, run_id: str, token: str, *, ttl_s: float = 60.0) -> None:
        """Extend our lease by ``ttl_s`` from now; RunLockedError when it is no longer ours."""
        now = datetime.now(UTC)
        changed = self._db.execute(
            "UPDATE leases SET heartbeat = ?, expires = ? WHERE run_id = ? AND token = ?",
            (_iso(now), _iso(now + timedelta(seconds=ttl_s)), run_id, token),
        ).rowcount
        if changed == 0:
            raise RunLockedError(_lost_message(run_id, self._lease(run_id)))

    def release_lease(self, run_id: str, token: str) -> None:
        """Give the lease up (nothing happens when it is no longer ours)."""
        self._db.execute("DELETE FROM leases WHERE run_id = ? AND token = ?", (run_id, token))

    def lease(self, run_id: str) -> Lease | None:
        """The run's lease as stored (possibly expired), or None when nobody holds it."""
        return self._lease(run_id)

    def _lease(self, run_id: str) -> Lease | None:
        from scribe_eval.store._records import Lease

        row = self._db.execute("SELECT * FROM leases WHERE run_id = ?", (run_id,)).fetchone()
        return None if row is None else Lease.model_validate(dict(row))

    # Governance

    def _record_blessing(self, event: BaselineEvent) -> None:
        with self._write():
            row = self._db.execute(
                "SELECT run_id FROM baselines WHERE name = ?", (event.name,)
            ).fetchone()
            if (None if row is None else str(row["run_id"])) != event.previous_run_id:
                raise StoreError(
                    f"baseline {event.name!r} was moved by someone else meanwhile; look at "
                    "`scribe-eval runs baselines` and bless again"
                )
            self._append_blessing(event)

    def _append_blessing(self, event: BaselineEvent) -> None:
        self._db.execute(
            "INSERT INTO baselines (name, run_id, blessed) VALUES (?, ?, ?) ON CONFLICT(name) "
            "DO UPDATE SET run_id = excluded.run_id, blessed = excluded.blessed",
            (event.name, event.run_id, event.blessed),
        )
        self._db.execute(
            "INSERT INTO baseline_events (name, run_id, previous_run_id, user, reason, blessed, "
            "forced) VALUES (:name, :run_id, :previous_run_id, :user, :reason, :blessed, "
            ":forced)",
            {**event.model_dump(), "forced": int(event.forced)},
        )

    def baseline_history(self, name: str | None = None) -> list[BaselineEvent]:
        """Every blessing (of one baseline, or all), oldest first."""
        query = "SELECT * FROM baseline_events"
        args: tuple[str, ...] = ()
        if name is not None:
            query, args = query + " WHERE name = ?", (name,)
        rows = self._db.execute(query + " ORDER BY seq", args).fetchall()
        return [_event_from_row(dict(row)) for row in rows]

    def import_baseline_event(self, event: BaselineEvent) -> None:
        """Append a copied blessing and point the baseline at its run (no --force check)."""
        with self._write():
            self._append_blessing(event)

    # Where cached answers came from

    def _claim_cache_entry(self, key: str, run_id: str) -> None:
        self._db.execute(
            "UPDATE cache SET run_id = ? WHERE key = ? AND run_id IS NULL", (run_id, key)
        )

    def shared_cells(self, run_id: str) -> dict[str, str]:
        """Cell id -> the other run whose call made the cached answer this cell reused."""
        rows = self._db.execute(
            "SELECT c.cell_id, k.run_id FROM cells c JOIN cache k ON k.key = c.cache_key "
            "WHERE c.run_id = ? AND c.from_cache = 1 AND k.run_id IS NOT NULL "
            "AND k.run_id <> c.run_id ORDER BY c.cell_id",
            (run_id,),
        ).fetchall()
        return {str(r[0]): str(r[1]) for r in rows}

    def cache_entries(self) -> list[CacheEntry]:
        """Every cached answer, oldest first."""
        rows = self._db.execute("SELECT * FROM cache ORDER BY created, key").fetchall()
        return [entry_from_row(dict(row)) for row in rows]

    def import_cache_entry(self, entry: CacheEntry) -> bool:
        """Store a copied cache entry unless its key is present; True when it was added."""
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO cache (key, stage, value, request_id, elapsed_ms, created, "
            "run_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                entry.key, entry.stage, json.dumps(entry.value, sort_keys=True),
                entry.request_id, entry.elapsed_ms, entry.created, entry.run_id,
            ),
        )  # fmt: skip
        return cursor.rowcount > 0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _lost_message(run_id: str, held: Lease | None) -> str:
    if held is None:
        return f"the lease of run {run_id} is gone (taken over and released); stop this runner"
    return locked_message(held)


def _event_from_row(data: dict[str, Any]) -> BaselineEvent:
    from scribe_eval.store._records import BaselineEvent

    data.pop("seq", None)
    data["forced"] = bool(data["forced"])
    return BaselineEvent.model_validate(data)


def entry_from_row(data: dict[str, Any]) -> CacheEntry:
    """A cache entry from a ``cache`` row (the answer as JSON text)."""
    from scribe_eval.store._records import CacheEntry

    data["value"] = json.loads(data["value"])
    return CacheEntry.model_validate(data)
