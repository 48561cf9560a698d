"""The run's API call slots, handed out by stage: the earliest stage of the chain first.

Each encounter is a chain of calls (create the interaction, upload the recording, ask for the
transcript, then its documents, then delete the interaction), and the overall limit
(``execution.concurrency``) shares its slots between the chains. First come, first served, as
``asyncio.Semaphore`` does, leaves the run's last chains to finish one call after another while
slots stand idle: a waiting upload or transcript, the call that makes work for several others
(four documents, a delete), queued behind documents. `RankedSlots` gives a freed slot to the
waiting call of the earliest stage (first come, first served within a stage), which keeps work
available for every slot until the end: the highest-level-first rule of list scheduling.

It would also open every encounter's interaction before writing any document, so the executor
bounds the encounters in progress (`OPEN_PER_SLOT` per slot): interactions and their recordings
never linger on the target for the whole run, and cells keep completing as it goes.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools

#: Encounters in progress (interaction made, not yet deleted) per slot of the overall limit.
#: Four keeps the slots busy to the end in a simulation of 100 to 1,000 encounters of eight
#: calls (two, as first come first served gives, leaves the last chains alone at the end).
OPEN_PER_SLOT = 4


class RankedSlots:
    """At most ``limit`` holders; a freed slot goes to the waiter of the lowest rank.

    ``await acquire(rank)`` then ``release()``, like a semaphore. Within a rank, waiters are served
    in arrival order; a waiter cancelled before its turn gives nothing up, and one cancelled after
    it was handed a slot passes the slot on.
    """

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("a limit of at least one slot")
        self._free = limit
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._arrival = itertools.count()

    @property
    def waiting(self) -> int:
        """Waiters not yet served (cancelled ones may still be counted until a release)."""
        return len(self._waiting)

    async def acquire(self, rank: int) -> None:
        """Wait for a slot (at once when one is free and nobody waits)."""
        if self._free and not self._waiting:
            self._free -= 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (rank, next(self._arrival), turn))
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed a slot, then cancelled before using it
            raise

    def release(self) -> None:
        """Give the slot to the next waiter, else free it."""
        while self._waiting:
            turn = heapq.heappop(self._waiting)[2]
            if not turn.done():
                turn.set_result(None)
                return
        self._free += 1
