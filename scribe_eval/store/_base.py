"""The run store's contract, shared by the SQLite file and the PostgreSQL team store.

``RunStore`` is the type every caller holds. Called directly, ``RunStore(runs_dir)`` opens the
local SQLite file (as ``pathlib.Path()`` gives a ``PosixPath``); ``open_store(spec, runs_dir)``
picks SQLite or PostgreSQL from a URL. Both kinds pass one contract test suite.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Collection
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from scribe_eval.errors import StoreError

# The typed records are pydantic models (~0.2 s to import): a store is opened without them, and
# each backend imports them where it builds one, so `runs list` (`run_listings`) never does.
if TYPE_CHECKING:
    from scribe_eval.store._records import (
        BaselineEvent,
        CacheEntry,
        CellRecord,
        Lease,
        RemoteRecord,
        RunRecord,
    )
    from scribe_eval.store._rows import RunListing, RunStatus
    from scribe_eval.store._summary import CellSummary


def current_user() -> str:
    """Who is acting: ``$SCRIBE_EVAL_USER``, else the operating-system user."""
    explicit = os.environ.get("SCRIBE_EVAL_USER")
    if explicit:
        return explicit
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid-{os.getuid()}"


class RunStore:
    """Every run, cell, cached stage answer, remote resource, baseline and lease of a team or desk.

    Attributes:
        runs_dir: The local runs directory (target state, models); the SQLite file lives there.
    """

    runs_dir: Path

    #: The class ``RunStore(runs_dir)`` makes: the local SQLite store, which registers itself
    #: when its module is imported; ``scribe_eval.store`` hands ``RunStore`` out from there (the
    #: base never imports a backend).
    default_backend: type[RunStore] | None = None

    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        if cls is RunStore:
            if RunStore.default_backend is None:
                raise StoreError(
                    "no run store backend is registered; use RunStore from scribe_eval.store"
                )
            return object.__new__(RunStore.default_backend)  # type: ignore[return-value]
        return object.__new__(cls)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def location(self) -> str:
        """Where the records are, for messages: a file path, or a URL without its password."""
        raise NotImplementedError

    def close(self) -> None:
        """Release the connection(s)."""
        raise NotImplementedError

    def reopen(self) -> RunStore:
        """A new store on the same records (for a forked worker process)."""
        raise NotImplementedError

    # Runs

    def create_run(self, run: RunRecord) -> None:
        """Store a new run (its id must be new)."""
        raise NotImplementedError

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this exact id; StoreError naming the id when there is none."""
        raise NotImplementedError

    def list_runs(self) -> list[RunRecord]:
        """Every run, newest first."""
        raise NotImplementedError

    def run_listings(self) -> list[RunListing]:
        """Every run as `runs list` shows it, newest first (as `list_runs`): a few plain fields
        read from each row, without building a typed record (no pydantic: start-up)."""
        raise NotImplementedError

    def resolve_run(self, ref: str) -> RunRecord:
        """A run by id, unique id prefix, ``latest``, or the name of a blessed baseline."""
        raise NotImplementedError

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
        raise NotImplementedError

    # Baselines (governance)

    def baselines(self) -> dict[str, str]:
        """Baseline name -> run id."""
        raise NotImplementedError

    def bless(
        self,
        run_id: str,
        name: str,
        *,
        reason: str | None = None,
        force: bool = False,
        user: str | None = None,
    ) -> BaselineEvent | None:
        """Name ``run_id`` as the baseline ``name``, recording who, when and why.

        A baseline naming another run moves only with ``force``; blessing the run it already
        names changes nothing and returns None.
        """
        self.get_run(run_id)
        current = self.baselines().get(name)
        if current == run_id:
            return None
        if current is not None and not force:
            raise StoreError(
                f"baseline {name!r} is run {current}; moving it to {run_id} needs --force "
                "(and a --reason)"
            )
        from scribe_eval.store._records import BaselineEvent

        event = BaselineEvent(
            name=name, run_id=run_id, previous_run_id=current, user=user or current_user(),
            reason=reason, blessed=_now(), forced=current is not None,
        )  # fmt: skip
        self._record_blessing(event)
        return event

    def _record_blessing(self, event: BaselineEvent) -> None:
        """Point the baseline at the event's run and append the event, atomically.

        Raises StoreError when the baseline no longer names ``event.previous_run_id``.
        """
        raise NotImplementedError

    def baseline_history(self, name: str | None = None) -> list[BaselineEvent]:
        """Every blessing (of one baseline, or all), oldest first."""
        raise NotImplementedError

    # Cells

    def put_cell(self, cell: CellRecord, *, api_calls_delta: int = 0) -> None:
        """Insert or replace a cell (committed at once).

        A cell that made its own call (not from the cache) with a cache key marks the cache entry
        under that key as made by its run, if no run claimed it yet. ``api_calls_delta`` is added
        to the run's API call count in the same transaction: the calls made since the runner's
        previous write are counted even if its process is killed next.
        """
        raise NotImplementedError

    def cells(self, run_id: str) -> list[CellRecord]:
        """Every cell of a run, transcripts first, in a stable order."""
        raise NotImplementedError

    def get_cell(self, run_id: str, cell_id: str) -> CellRecord | None:
        """One cell, or None."""
        raise NotImplementedError

    def cell_summaries(self, run_id: str) -> list[CellSummary]:
        """Every cell of a run without its full scores, in the order of `cells`.

        Each summary carries the cell's typed top-level figures (`CellFigures`): what compare,
        the gate and the report's tables need, a few hundred bytes a cell instead of ~16 KB. A
        cell stored before figures existed gets them computed from its scores, and stored.
        """
        raise NotImplementedError

    def encounter_cells(self, run_id: str, encounter_id: str) -> list[CellRecord]:
        """The full cells of one encounter of a run (transcripts first, as in `cells`)."""
        raise NotImplementedError

    def cell_counts(self, run_id: str) -> dict[tuple[str, str, bool], int]:
        """How many cells of a run there are per (kind, status, from_cache), counted by the
        database: a run's outcome needs no cell loaded (10,000 cells are 100+ MB as records)."""
        raise NotImplementedError

    def failed_cell_counts(self) -> dict[str, int]:
        """Run id -> how many of its cells failed (status ``error``), for every run with one,
        counted by the database in one query: `runs list` shows it without loading a cell."""
        raise NotImplementedError

    def failed_tracebacks(self, run_id: str) -> dict[str, str]:
        """Cell id -> the trimmed traceback of each failed cell of a run that kept one, read in
        one query on the (run_id, status) index: `runs show` loads no cell to find them."""
        raise NotImplementedError

    def shared_cells(self, run_id: str) -> dict[str, str]:
        """Cell id -> the other run whose call made the cached answer this cell reused."""
        raise NotImplementedError

    # The stage cache

    def cache_get(self, key: str) -> CacheEntry | None:
        """The cached answer under ``key``, or None."""
        raise NotImplementedError

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
        ``remote``: the row saying the resource that gave the answer was created, written (as by
        `put_remote`) in the same transaction, with ``api_calls_delta`` added to its run's call
        count: the answer, its row and the calls are stored together or not at all."""
        raise NotImplementedError

    def cache_count(self) -> int:
        """How many answers the cache holds."""
        raise NotImplementedError

    # Remote resources

    def put_remote(self, record: RemoteRecord, *, api_calls_delta: int = 0) -> None:
        """Insert or replace a remote-resource row (committed at once), adding
        ``api_calls_delta`` to its run's API call count in the same transaction."""
        raise NotImplementedError

    def put_remote_if(
        self, record: RemoteRecord, *, expected: RemoteRecord | None, api_calls_delta: int = 0
    ) -> bool:
        """Write ``record`` only if the row stored under its key is still ``expected`` (None:
        no row), in one statement; True when written (committed at once).

        A runner that keeps the rows it read records its intent to create this way: False
        means someone else (a worker taken for dead, say) wrote the row since; read it again.
        ``api_calls_delta`` is added to the run's call count only when the row is written.
        """
        raise NotImplementedError

    def get_remote(self, run_id: str, key: str) -> RemoteRecord | None:
        """The remote-resource row of a run under ``key``, or None."""
        raise NotImplementedError

    def get_remotes(self, run_id: str, keys: Collection[str]) -> list[RemoteRecord]:
        """The remote-resource rows of a run under ``keys`` (those that exist, by key), in one
        indexed query: an encounter's rows are read once, not once per call."""
        raise NotImplementedError

    def remotes(self, run_id: str, *, kind: str | None = None) -> list[RemoteRecord]:
        """The remote resources a run created (optionally of one kind)."""
        raise NotImplementedError

    # Leases: one runner per run

    def acquire_lease(
        self,
        run_id: str,
        *,
        ttl_s: float = 60.0,
        take_over: bool = False,
        stale_token: str | None = None,
    ) -> Lease:
        """Take the run's lease for ``ttl_s`` seconds.

        Raises RunLockedError naming the holder's host, pid and since, unless its lease expired,
        ``take_over`` is set, or the lease held is still the one whose token is ``stale_token``
        (a holder the caller found dead: of two callers that found it dead, one wins).
        """
        raise NotImplementedError

    def lease(self, run_id: str) -> Lease | None:
        """The run's lease as stored (possibly expired), or None when nobody holds it."""
        raise NotImplementedError

    def renew_lease(self, run_id: str, token: str, *, ttl_s: float = 60.0) -> None:
        """Extend our lease by ``ttl_s`` from now; RunLockedError when it is no longer ours."""
        raise NotImplementedError

    def release_lease(self, run_id: str, token: str) -> None:
        """Give the lease up (nothing happens when it is no longer ours)."""
        raise NotImplementedError

    # Copying between stores (``scribe-eval store migrate``)

    def cache_entries(self) -> list[CacheEntry]:
        """Every cached answer, oldest first."""
        raise NotImplementedError

    def import_cache_entry(self, entry: CacheEntry) -> bool:
        """Store a copied cache entry unless its key is present; True when it was added."""
        raise NotImplementedError

    def import_baseline_event(self, event: BaselineEvent) -> None:
        """Append a copied blessing and point the baseline at its run (no --force check)."""
        raise NotImplementedError


def locked_message(lease: Lease) -> str:
    """The one-line RunLockedError message for a lease someone else holds."""
    return (
        f"run {lease.run_id} is being run by host {lease.host} (pid {lease.pid}) since "
        f"{lease.since} (last heartbeat {lease.heartbeat}); wait for it to finish, or, if that "
        f"process is gone, take the run over with --take-over (its lease expires at "
        f"{lease.expires})"
    )


def check_carried(remote: RemoteRecord | None, api_calls_delta: int) -> None:
    """Refuse API calls carried by a cache answer without a remote row (which names their run)."""
    if api_calls_delta and remote is None:
        raise ValueError("a stage answer carries API calls only with a remote row (their run)")


def _now() -> str:
    from scribe_eval.store._clock import utc_now

    return utc_now()
