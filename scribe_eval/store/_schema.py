"""Numbered schema migrations of the run store.

The store's ``PRAGMA user_version`` is the number of migrations applied. A migration is never edited
once released: a change to the schema is a new entry at the end of ``MIGRATIONS``.
"""

from __future__ import annotations

MIGRATIONS: tuple[str, ...] = (
    # 1: runs, cells, the shared stage cache, remote bookkeeping and blessed baselines.
    """
    CREATE TABLE runs (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        status TEXT NOT NULL,
        created TEXT NOT NULL,
        finished TEXT,
        experiment_path TEXT,
        experiment_hash TEXT NOT NULL,
        dataset_name TEXT NOT NULL,
        dataset_hash TEXT NOT NULL,
        target TEXT NOT NULL,
        config TEXT NOT NULL,
        provenance TEXT NOT NULL,
        api_calls INTEGER NOT NULL DEFAULT 0,
        notes TEXT
    );
    CREATE TABLE cells (
        run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
        cell_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        encounter_id TEXT NOT NULL,
        template_label TEXT NOT NULL DEFAULT '',
        spec_hash TEXT NOT NULL DEFAULT '',
        language TEXT NOT NULL,
        recording_language TEXT NOT NULL,
        source TEXT NOT NULL,
        status TEXT NOT NULL,
        stage TEXT,
        error_type TEXT,
        error_message TEXT,
        request_id TEXT,
        cache_key TEXT,
        from_cache INTEGER NOT NULL DEFAULT 0,
        scores TEXT NOT NULL DEFAULT '{}',
        timings TEXT NOT NULL DEFAULT '{}',
        updated TEXT NOT NULL,
        PRIMARY KEY (run_id, cell_id)
    );
    CREATE INDEX cells_by_status ON cells(run_id, status);
    CREATE TABLE cache (
        key TEXT PRIMARY KEY,
        stage TEXT NOT NULL,
        value TEXT NOT NULL,
        request_id TEXT,
        elapsed_ms REAL,
        created TEXT NOT NULL
    );
    CREATE TABLE remote (
        run_id TEXT NOT NULL,
        key TEXT NOT NULL,
        kind TEXT NOT NULL,
        target TEXT NOT NULL,
        identifier TEXT NOT NULL,
        remote_id TEXT,
        parent_id TEXT,
        state TEXT NOT NULL,
        updated TEXT NOT NULL,
        PRIMARY KEY (run_id, key)
    );
    CREATE TABLE baselines (
        name TEXT PRIMARY KEY,
        run_id TEXT NOT NULL REFERENCES runs(id),
        blessed TEXT NOT NULL
    );
    """,
    # 2: run leases (one runner per run) and trimmed tracebacks of failed cells.
    """
    CREATE TABLE leases (
        run_id TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        since TEXT NOT NULL,
        heartbeat TEXT NOT NULL,
        expires TEXT NOT NULL
    );
    ALTER TABLE cells ADD COLUMN traceback TEXT;
    """,
    # 3: who made each cached answer, and the history of every baseline blessing.
    """
    ALTER TABLE cache ADD COLUMN run_id TEXT;
    CREATE TABLE baseline_events (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        run_id TEXT NOT NULL,
        previous_run_id TEXT,
        user TEXT NOT NULL,
        reason TEXT,
        blessed TEXT NOT NULL,
        forced INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 4: each cell's top-level figures beside its scores (readers of a whole run load only these;
    # older rows get theirs when first read), and per-encounter reads of full cells.
    """
    ALTER TABLE cells ADD COLUMN figures TEXT;
    CREATE INDEX cells_by_encounter ON cells(run_id, encounter_id);
    """,
    # 5: cached answers a run found older than the cache's age limit and bought again, counted
    # in the store so that every worker of a run spread over machines adds its own.
    """
    ALTER TABLE runs ADD COLUMN expired_cache INTEGER NOT NULL DEFAULT 0;
    """,
)
