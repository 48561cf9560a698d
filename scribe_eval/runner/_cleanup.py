"""Deleting what a run made on its target: its remote interactions (a base of `RemoteResources`).

An encounter's interaction is deleted as soon as its cells are done; the clean-up at the end of a
run (or `scribe-eval runs cleanup`) deletes what is left, ``pending`` rows included: a create
call may have landed before a crash, so the interaction is looked up by its identifier first.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from scribe_eval.errors import (
    APIError,
    NotFoundError,
    RateLimitError,
    ScribeEvalError,
    ServerError,
    TransportError,
)
from scribe_eval.store import RemoteRecord, RunStore

if TYPE_CHECKING:  # the client is imported by the session that makes the first call
    from scribe_eval.client import AmbientClient


@dataclass
class CleanupReport:
    """What a clean-up did: how many interactions it deleted, how many were gone already (a
    delete of an interrupted clean-up landed, its answer lost; or a create cut short never
    did), and one line per one left."""

    deleted: int = 0
    left: list[str] = field(default_factory=list)
    gone: int = 0

    def summary(self) -> str:
        """One line: how many could not be deleted, and why (the first few)."""
        more = len(self.left) - 3
        shown = "; ".join(self.left[:3]) + (f"; and {more} more" if more > 0 else "")
        return (
            f"{len(self.left)} remote interaction(s) could not be deleted ({shown}); run "
            "`scribe-eval runs cleanup RUN_ID` again later"
        )


def _transient(error: ScribeEvalError) -> bool:
    """A failure that may pass: no answer, throttled, or a server error."""
    return isinstance(error, TransportError | RateLimitError | ServerError)


class RemoteCleanup:
    """The clean-up half of `RemoteResources`: deletes the run's remote interactions."""

    # Provided by `RemoteResources`: the store, the run, the per-row locks and the row writes
    # (which carry the session's calls).
    _store: RunStore
    _run_id: str

    def _lock(self, key: str) -> asyncio.Lock:
        raise NotImplementedError

    def _put(self, key: str, kind: str, identifier: str, **fields: Any) -> None:
        raise NotImplementedError

    def created_interactions(self) -> list[RemoteRecord]:
        """Interactions of this run that exist remotely (not yet deleted)."""
        return [
            r
            for r in self._store.remotes(self._run_id, kind="interaction")
            if r.state == "created" and r.remote_id
        ]

    async def delete(self, client: AmbientClient, row: RemoteRecord) -> bool:
        """Delete one interaction of this run; False when it was gone already (a delete of an
        earlier attempt landed, its answer lost to a kill): marked deleted, but not counted."""
        assert row.remote_id is not None
        async with self._lock(row.key):
            deleted = True
            try:
                await client.delete_interaction(row.remote_id)
            except NotFoundError:
                deleted = False
            self._put(
                row.key, "interaction", row.identifier, remote_id=row.remote_id, state="deleted"
            )
            return deleted

    async def delete_leftovers(self, client: AmbientClient) -> int:
        """Delete every interaction of this run still on the target; how many were deleted.

        Raises APIError naming each one it could not delete (after ``clean_up``'s retries).
        """
        report = await self.clean_up(client)
        if report.left:
            raise APIError(report.summary())
        return report.deleted

    async def clean_up(
        self, client: AmbientClient, *, rounds: int = 3, pause_s: float = 1.0
    ) -> CleanupReport:
        """Delete every interaction of this run still on the target, pending ones included.

        A ``pending`` row means a create call may have landed before a crash: it is looked up by
        its identifier and deleted if it exists. One failure never stops the others; those that
        failed for a passing reason (no answer, 429, 5xx) are tried again, up to ``rounds``
        passes ``pause_s`` apart (each call has the client's own retries too). The report says
        how many were deleted and, one line each, what is left.
        """
        rows = [
            r
            for r in self._store.remotes(self._run_id, kind="interaction")
            if r.state in ("pending", "created")
        ]
        report = CleanupReport()
        left: dict[str, str] = {}
        for attempt in range(1, rounds + 1):
            outcomes = await asyncio.gather(
                *(self._delete_one(client, row) for row in rows), return_exceptions=True
            )
            retry: list[RemoteRecord] = []
            for row, outcome in zip(rows, outcomes, strict=True):
                if isinstance(outcome, bool):
                    report.deleted += int(outcome)
                    report.gone += int(not outcome)
                    left.pop(row.key, None)
                elif isinstance(outcome, ScribeEvalError):
                    what = row.remote_id or "(not created yet)"
                    left[row.key] = f"interaction {what} ({row.identifier}): {outcome.message}"
                    if _transient(outcome):
                        retry.append(row)
                else:
                    raise outcome
            if not retry or attempt == rounds:
                break
            rows = retry
            await asyncio.sleep(pause_s)
        report.left = list(left.values())
        return report

    async def _delete_one(self, client: AmbientClient, row: RemoteRecord) -> bool:
        """Delete one row's interaction; True when one was deleted, False when none existed."""
        if row.state == "pending" or not row.remote_id:
            found = await client.find_interaction(row.identifier)
            if found is None:
                self._put(row.key, "interaction", row.identifier, state="deleted")
                return False
            row = row.model_copy(update={"remote_id": found.id, "state": "created"})
        return await self.delete(client, row)
