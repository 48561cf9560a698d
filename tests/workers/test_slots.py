"""The per-target cap across workers: advisory-lock slots on the team store's server."""

from __future__ import annotations

import asyncio

import pytest

from scribe_eval.workers._slots import target_slot

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
