"""The job queue: procrastinate's tables in the team store's database, one task per encounter.

procrastinate (a PostgreSQL job engine) stores, locks, retries and hands out the jobs; we only
define the task and keep its schema applied once per database (under an advisory lock, like our
own migrations).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import procrastinate
import psycopg
from procrastinate.schema import SchemaManager

from scribe_eval.errors import StoreError
from scribe_eval.store import redact_url

TASK_NAME = "scribe_eval.encounter"
QUEUE = "scribe-eval"
_SCHEMA_LOCK = 0x5C21BE_E7A2
# A job whose worker died is retried by the coordinator (stalled-job recovery); a job that
# raised is retried by procrastinate this many times, then the run is marked failed.
MAX_ATTEMPTS = 3

EncounterJob = Callable[[str, str, int], Awaitable[None]]


def ensure_queue_schema(url: str) -> None:
    """Create procrastinate's tables in the store's schema unless they are there."""
    try:
        with psycopg.connect(url, autocommit=True) as conn, conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            row = conn.execute("SELECT to_regclass('procrastinate_jobs')").fetchone()
            if row is None or row[0] is None:
                sql = SchemaManager.get_schema()
                conn.execute(sql.encode())
    except psycopg.Error as exc:
        raise StoreError(
            f"cannot set up the job queue in {redact_url(url)}: {str(exc).splitlines()[0]}"
        ) from None


def make_app(url: str, job: EncounterJob | None = None) -> procrastinate.App:
    """A procrastinate app on the store's database; with ``job``, the worker side of the task."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=url))
    retry = procrastinate.RetryStrategy(max_attempts=MAX_ATTEMPTS, wait=1)
    app.task(name=TASK_NAME, queue=QUEUE, retry=retry)(job or _not_here)
    return app


async def _not_here(*_: Any) -> None:
    raise RuntimeError("encounter jobs run in `scribe-eval worker`, not in the coordinator")
