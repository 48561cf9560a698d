"""The coordinator defers a run's encounter jobs in batches, never twice for a waiting job."""

from __future__ import annotations

import psycopg
import pytest

from scribe_eval.workers import _coordinator
from scribe_eval.workers._queue import ensure_queue_schema, make_app


async def test_jobs_are_deferred_in_batches_and_a_waiting_job_is_kept(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_coordinator, "BATCH", 2)
    ensure_queue_schema(pg_url)
    app = make_app(pg_url)
    async with app.open_async():
        first = await _coordinator._enqueue_all(app, pg_url, "run-1", ["en-b"], 3)
        # A resume: en-b's job still waits, the other four are new (three batches of <= 2).
        ids = await _coordinator._enqueue_all(
            app, pg_url, "run-1", ["en-a", "en-b", "en-c", "en-d", "en-e"], 3
        )
    with psycopg.connect(pg_url) as conn:
        rows = conn.execute("SELECT id, queueing_lock, args FROM procrastinate_jobs").fetchall()
    assert len(rows) == 5
    assert first[0] in ids
    assert sorted(ids) == sorted(row[0] for row in rows)
    by_lock = {row[1]: row[2] for row in rows}
    assert by_lock["run-1/en-d"] == {"run_id": "run-1", "encounter_id": "en-d", "cap": 3}
