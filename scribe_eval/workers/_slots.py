"""A cap on encounters in flight per target across every worker: PostgreSQL advisory locks.

procrastinate's ``lock`` serialises jobs (a cap of one); it has no counting limit. So a job holds
one of ``cap`` session-level advisory locks named after the target while it runs. The server
drops a lock when its connection closes, so a killed worker never keeps a slot.

A worker keeps the connections its slots were held on (``TargetSlots``): a job that ends unlocks
its slot and leaves the connection for the next job. A new connection per job cost the server a
backend process each time (about 4 ms of its CPU, and 1 ms of ours, on the bench machine).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg

POLL_S = 0.2

_Conn = psycopg.AsyncConnection[tuple[bool]]


class TargetSlots:
    """Slots held on connections kept open between jobs (one per job in flight)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._idle: list[_Conn] = []

    @asynccontextmanager
    async def hold(self, target: str, cap: int) -> AsyncIterator[int | None]:
        """Hold one of ``cap`` slots of ``target`` (no cap when ``cap`` < 1); yields the slot.

        Left normally, the slot is unlocked and its connection kept; left by an exception
        (cancelled, or the connection broke) the connection is closed, which frees the slot too.
        """
        if cap < 1:
            yield None
            return
        conn, slot = await self._take(target, cap)
        kept = False
        try:
            yield slot
            kept = await _unlock(conn, target, slot)
        finally:
            if kept:
                self._idle.append(conn)
            else:
                await conn.close()  # releases the lock

    async def _take(self, target: str, cap: int) -> tuple[_Conn, int]:
        """A slot on a kept connection, or on a new one when none is kept or it has broken
        since (the server restarted, say)."""
        while self._idle:
            conn = self._idle.pop()
            try:
                return conn, await _take(conn, target, cap)
            except psycopg.OperationalError:
                await conn.close()
            except BaseException:
                await conn.close()
                raise
        conn = await _connect(self.url)
        try:
            return conn, await _take(conn, target, cap)
        except BaseException:
            await conn.close()
            raise

    async def aclose(self) -> None:
        """Close the connections kept for later jobs."""
        idle, self._idle = self._idle, []
        for conn in idle:
            await conn.close()


@asynccontextmanager
async def target_slot(url: str, target: str, cap: int) -> AsyncIterator[int | None]:
    """Hold one of ``cap`` slots of ``target`` on a connection of its own, closed afterwards."""
    slots = TargetSlots(url)
    try:
        async with slots.hold(target, cap) as slot:
            yield slot
    finally:
        await slots.aclose()


async def _connect(url: str) -> _Conn:
    return await psycopg.AsyncConnection.connect(url, autocommit=True)


def _key(target: str) -> str:
    return f"scribe-eval:{target}"


async def _take(conn: _Conn, target: str, cap: int) -> int:
    while True:
        for slot in range(cap):
            cursor = await conn.execute(
                "SELECT pg_try_advisory_lock(hashtext(%s), %s)", (_key(target), slot)
            )
            row = await cursor.fetchone()
            if row is not None and row[0]:
                return slot
        await asyncio.sleep(POLL_S)


async def _unlock(conn: _Conn, target: str, slot: int) -> bool:
    """Give the slot back; False when the connection cannot be trusted to be clean."""
    try:
        cursor = await conn.execute(
            "SELECT pg_advisory_unlock(hashtext(%s), %s)", (_key(target), slot)
        )
        row = await cursor.fetchone()
    except psycopg.Error:
        return False
    return row is not None and bool(row[0])
