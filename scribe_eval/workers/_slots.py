"""A cap on encounters in flight per target across every worker: PostgreSQL advisory locks.

procrastinate's ``lock`` serialises jobs (a cap of one); it has no counting limit. So a job holds
one of ``cap`` session-level advisory locks named after the target while it runs. The server
drops a lock when its connection closes, so a killed worker never keeps a slot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

POLL_S = 0.2


@asynccontextmanager
async def target_slot(url: str, target: str, cap: int) -> AsyncIterator[int | None]:
    """Hold one of ``cap`` slots of ``target`` (no cap when ``cap`` < 1); yields the slot."""
    if cap < 1:
        yield None
        return
    conn = await psycopg.AsyncConnection.connect(url, autocommit=True)
    try:
        slot = await _take(conn, target, cap)
        yield slot
    finally:
        await conn.close()  # releases the lock


async def _take(conn: psycopg.AsyncConnection[tuple[bool]], target: str, cap: int) -> int:
    while True:
        for slot in range(cap):
            cursor = await conn.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s), %s)", (f"scribe-eval:{target}", slot)
            )
            row = await cursor.fetchone()
            if row is not None and row[0]:
                return slot
        await asyncio.sleep(POLL_S)
