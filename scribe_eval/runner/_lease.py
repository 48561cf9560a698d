"""One runner per run: the run's lease in the store, renewed by a heartbeat while the run goes on.

The lease lives in the run store, so it holds across machines sharing a PostgreSQL store (whose
server clock times it) as well as for processes sharing one SQLite file. A second runner is
refused with one line naming the holder (host, pid, since). A holder on this machine whose
process is gone (killed with ``kill -9``) is taken over at once; one on another machine is taken
over when its lease expires (no heartbeat for ``LEASE_TTL_S``) or with ``--take-over``. Of two
runners that find the same dead holder, one wins: the take-over names the dead lease's token.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Callable

from scribe_eval.errors import RunLockedError, StoreError
from scribe_eval.store import Lease, RunStore, process_alive

LEASE_TTL_S = 60.0
"""A lease not renewed for this long is free for another runner."""

HEARTBEAT_S = LEASE_TTL_S / 6
"""How often a runner renews its lease."""


def take_lease(
    store: RunStore, run_id: str, *, take_over: bool = False, ttl_s: float = LEASE_TTL_S
) -> Lease:
    """Take the run's lease, or raise RunLockedError naming its live holder.

    A holder on this host whose process no longer exists is replaced without asking.
    """
    try:
        return store.acquire_lease(run_id, ttl_s=ttl_s, take_over=take_over)
    except RunLockedError as refused:
        held = store.lease(run_id)
        if held is None:  # released just now
            return store.acquire_lease(run_id, ttl_s=ttl_s)
        if held.host == socket.gethostname() and not process_alive(held.pid):
            return store.acquire_lease(run_id, ttl_s=ttl_s, stale_token=held.token)
        raise refused from None


class LeaseKeeper:
    """Renews a lease every ``HEARTBEAT_S`` seconds; ``lost`` says why it stopped being ours."""

    def __init__(
        self,
        store: RunStore,
        lease: Lease,
        on_lost: Callable[[str], object],
        *,
        ttl_s: float = LEASE_TTL_S,
        every_s: float = HEARTBEAT_S,
    ) -> None:
        self.store = store
        self.lease = lease
        self.lost: str | None = None
        self._on_lost = on_lost
        self._ttl_s = ttl_s
        self._every_s = every_s

    async def beat(self) -> None:
        """Renew until cancelled, or until the lease is taken from us (then ``on_lost``)."""
        while True:
            await asyncio.sleep(self._every_s)
            try:
                self.store.renew_lease(self.lease.run_id, self.lease.token, ttl_s=self._ttl_s)
            except RunLockedError as exc:
                self.lost = f"this runner lost the run's lease: {exc.message}"
                self._on_lost(self.lost)
                return
            except StoreError:
                continue  # a passing store error: the next beat tries again within the TTL


@contextlib.asynccontextmanager
async def leased(
    store: RunStore,
    run_id: str,
    on_lost: Callable[[str], object],
    *,
    take_over: bool = False,
    lease: Lease | None = None,
) -> AsyncIterator[LeaseKeeper]:
    """Hold the run's lease (taken now unless given) with a heartbeat; released on the way out."""
    held = lease or take_lease(store, run_id, take_over=take_over)
    keeper = LeaseKeeper(store, held, on_lost)
    beating = asyncio.create_task(keeper.beat())
    try:
        yield keeper
    finally:
        beating.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await beating
        with contextlib.suppress(StoreError):
            store.release_lease(run_id, held.token)
