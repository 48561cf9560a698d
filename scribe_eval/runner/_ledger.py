"""The API calls of a session that the run store has not counted yet.

A run's ``api_calls`` used to be added once, at the end: a process killed mid-run recorded none of
its calls. Now every store write the runner makes anyway (a remote-resource row, an answer with
its row, a cell) carries the calls made since the previous one and the store adds them to the run
in the same transaction, so a killed process keeps its count up to its last write, with no extra
round trip. A write that fails, or stores nothing, gives its calls back to be carried by the next.
The end of a run (or of a worker's job) adds only what no write carried.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class Carry:
    """The calls one write takes with it (``calls``); ``give_back`` when it stored nothing."""

    calls: int
    _ledger: CallLedger

    def give_back(self) -> None:
        """Return the calls to the ledger: the write did not store them (once; then 0)."""
        self._ledger._carried -= self.calls
        self.calls = 0


class CallLedger:
    """Counts a session's calls (``total``) against those handed to store writes so far.

    One ledger per session: the jobs of a worker share their run's session, so they share its
    ledger, and no call is carried twice.
    """

    def __init__(self, total: Callable[[], int]) -> None:
        self._total = total
        self._carried = 0

    @contextmanager
    def carry(self) -> Iterator[Carry]:
        """The calls not carried yet, for one write; given back if the write raises."""
        carry = self.take()
        try:
            yield carry
        except BaseException:
            carry.give_back()
            raise

    def take(self) -> Carry:
        """Hand every call not carried yet to one write (the caller gives them back if it
        stores nothing)."""
        calls = self._total() - self._carried
        self._carried += calls
        return Carry(calls, self)

    @property
    def pending(self) -> int:
        """Calls made that no write has carried (yet)."""
        return self._total() - self._carried
