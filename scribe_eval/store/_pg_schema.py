"""Numbered schema migrations of the PostgreSQL team store.

The table ``scribe_eval_schema`` holds the number of migrations applied. They run on first use,
inside one transaction under an advisory lock, so that machines opening a new store at once apply
each migration once. A migration is never edited once released: a change is a new entry at the
end. JSON columns are TEXT, written by ``json.dumps`` as in the SQLite file, so both stores hold
byte-identical answers (and scores that are NaN, which JSONB refuses).
"""

from __future__ import annotations

# Any fixed 64-bit number; it names the "migrating scribe-eval's schema" lock in this database.
MIGRATION_LOCK = 0x5C21BE_E7A1

PG_MIGRATIONS: tuple[str, ...] = (
    # 1: runs, cells, the shared stage cache (with the run that made each answer), remote
    # bookkeeping, baselines with their blessing history, and run leases on the server's clock.
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
        api_calls BIGINT NOT NULL DEFAULT 0,
        notes TEXT
    );
    CREATE INDEX runs_by_created ON runs(created DESC, id DESC);
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
        from_cache BOOLEAN NOT NULL DEFAULT FALSE,
        scores TEXT NOT NULL DEFAULT '{}',
        timings TEXT NOT NULL DEFAULT '{}',
        updated TEXT NOT NULL,
        traceback TEXT,
        PRIMARY KEY (run_id, cell_id)
    );
    CREATE INDEX cells_by_status ON cells(run_id, status);
    CREATE TABLE cache (
        key TEXT PRIMARY KEY,
        stage TEXT NOT NULL,
        value TEXT NOT NULL,
        request_id TEXT,
        elapsed_ms DOUBLE PRECISION,
        created TEXT NOT NULL,
        run_id TEXT
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
    CREATE TABLE baseline_events (
        seq BIGSERIAL PRIMARY KEY,
        name TEXT NOT NULL,
        run_id TEXT NOT NULL,
        previous_run_id TEXT,
        "user" TEXT NOT NULL,
        reason TEXT,
        blessed TEXT NOT NULL,
        forced BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE TABLE leases (
        run_id TEXT PRIMARY KEY,
        token TEXT NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        since TIMESTAMPTZ NOT NULL,
        heartbeat TIMESTAMPTZ NOT NULL,
        expires TIMESTAMPTZ NOT NULL
    );
    """,
    # 2: each cell's top-level figures beside its scores (readers of a whole run load only these;
    # older rows get theirs when first read), and per-encounter reads of full cells.
    """
    ALTER TABLE cells ADD COLUMN figures TEXT;
    CREATE INDEX cells_by_encounter ON cells(run_id, encounter_id);
    """,
    # 3: cached answers a run found older than the cache's age limit and bought again, counted
    # in the store so that every worker of a run spread over machines adds its own.
    """
    ALTER TABLE runs ADD COLUMN expired_cache BIGINT NOT NULL DEFAULT 0;
    """,
)
