"""The per-target cap across workers: advisory-lock slots on the team store's server."""

from __future__ import annotations

import asyncio
import uuid

import psycopg
import pytest

from scribe_eval.workers._slots import TargetSlots, target_slot

pytestmark = pytest.mark.postgres


async def _hold(url: str, target: str, cap: int, release: asyncio.Event) -> int | None:
    async with target_slot(url, target, cap) as slot:
        await release.wait()
        return slot


async def test_a_third_holder_waits_for_one_of_two_slots_and_other_targets_do_not(
    pg_url: str,
) -> None:
    first, later = asyncio.Event(), asyncio.Event()
    holders = [asyncio.create_task(_hold(pg_url, "vendor", 2, first)) for _ in range(2)]
    await asyncio.sleep(0.5)
    third = asyncio.create_task(_hold(pg_url, "vendor", 2, later))
    elsewhere = asyncio.create_task(_hold(pg_url, "other-vendor", 2, later))
    await asyncio.sleep(0.8)
    assert not any(h.done() for h in holders)
    later.set()
    assert await asyncio.wait_for(elsewhere, 5) == 0  # its own slots: not blocked
    assert not third.done()  # both of the vendor's slots are held
    first.set()
    assert {await h for h in holders} == {0, 1}
    assert await asyncio.wait_for(third, 5) in (0, 1)


async def test_no_cap_takes_no_slot(pg_url: str) -> None:
    async with target_slot(pg_url, "vendor", 0) as slot:
        assert slot is None


def _held(url: str, target: str) -> int:
    """How many slots of ``target`` are locked on the server, by anyone."""
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
            "AND classid = hashtext(%s)::oid",
            (f"scribe-eval:{target}",),
        ).fetchone()
    return int(row[0]) if row else 0


async def _backend(slots: TargetSlots, target: str) -> int:
    async with slots.hold(target, 1) as slot:
        assert slot == 0
        assert slots._idle == []  # in use
        assert _held(slots.url, target) == 1
    assert len(slots._idle) == 1
    cursor = await slots._idle[0].execute("SELECT pg_backend_pid()")
    row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def test_a_worker_frees_a_slot_after_a_job_and_keeps_its_connection(pg_url: str) -> None:
    slots, target = TargetSlots(pg_url), f"vendor-{uuid.uuid4().hex}"
    try:
        first = await _backend(slots, target)
        assert _held(pg_url, target) == 0  # unlocked, though the connection stays open
        async with target_slot(pg_url, target, 1) as slot:  # another worker takes it at once
            assert slot == 0
        assert await _backend(slots, target) == first  # the next job reuses the connection
    finally:
        await slots.aclose()
    assert slots._idle == []


async def test_a_job_that_fails_closes_its_slots_connection(pg_url: str) -> None:
    slots, target = TargetSlots(pg_url), f"vendor-{uuid.uuid4().hex}"

    async def failing_job() -> None:
        async with slots.hold(target, 1):
            assert _held(pg_url, target) == 1
            raise RuntimeError("job failed")

    with pytest.raises(RuntimeError, match="job failed"):
        await failing_job()
    assert slots._idle == []
    assert _held(pg_url, target) == 0


async def test_a_kept_connection_that_broke_is_replaced_not_failing_the_job(pg_url: str) -> None:
    slots, target = TargetSlots(pg_url), f"vendor-{uuid.uuid4().hex}"
    try:
        first = await _backend(slots, target)
        with psycopg.connect(pg_url, autocommit=True) as admin:  # the server drops it
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        second = await _backend(slots, target)
        assert second != first
    finally:
        await slots.aclose()
