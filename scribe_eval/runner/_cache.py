"""The matrix executor's reads of the stage cache, with an age limit.

A URL target reports no model version, so the vendor can change its model under an unchanged
identity; an answer bought before that would be served forever. An answer older than the
experiment's limit (`Experiment.cache_max_age_s`: 7 days for a URL target by default, none for the
embedded emulator) is therefore treated as absent: the stage is bought again and its new answer
replaces the old one in the (shared) cache.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from scribe_eval.experiment import Experiment, UrlTarget, format_duration
from scribe_eval.store import CacheEntry, RemoteRecord, RunStore, read_utc


def _now() -> datetime:
    return datetime.now(UTC)


class StageCache:
    """``get`` returns a cached answer only while it is younger than ``max_age_s``.

    ``expired`` counts the answers found but too old (each bought again by the caller). An entry
    whose time cannot be read counts as too old: its age is unknown. The answer bought again is
    stored with ``put``, which counts it in the run's ``expired_cache`` in the same write: the
    count is in the store as soon as the answer is, even if the process is killed next.
    """

    def __init__(
        self,
        store: RunStore,
        max_age_s: float | None,
        *,
        clock: Callable[[], datetime] = _now,
        run_id: str | None = None,
    ) -> None:
        self.store = store
        self.max_age_s = max_age_s
        self.expired = 0
        self._clock = clock
        self._run_id = run_id
        # Keys found too old and not bought again yet (a key found twice is bought twice).
        self._stale: Counter[str] = Counter()

    def get(self, key: str) -> CacheEntry | None:
        """The usable cached answer under ``key``, or None (absent or too old)."""
        entry = self.store.cache_get(key)
        if entry is None or self.max_age_s is None:
            return entry
        age = entry_age_s(entry, self._clock())
        if age is None or age > self.max_age_s:
            self.expired += 1
            self._stale[key] += 1
            return None
        return entry

    def put(
        self,
        key: str,
        stage: str,
        value: dict[str, Any],
        *,
        elapsed_ms: float | None = None,
        remote: RemoteRecord | None = None,
        api_calls_delta: int = 0,
    ) -> None:
        """Store the answer bought for ``key`` (one that replaces an answer found too old is
        counted in the run's ``expired_cache`` with it, when the cache knows its run), with the
        ``remote`` row and the calls it carries (see `RunStore.cache_put`)."""
        replaces = self._stale[key] > 0
        self.store.cache_put(
            key, stage, value, elapsed_ms=elapsed_ms,
            expired_run=self._run_id if replaces else None, remote=remote,
            api_calls_delta=api_calls_delta,
        )  # fmt: skip
        if replaces:
            self._stale[key] -= 1


def entry_age_s(entry: CacheEntry, now: datetime) -> float | None:
    """Seconds since ``entry`` was stored; None when its timestamp cannot be read."""
    created = read_utc(entry.created)
    return None if created is None else (now - created).total_seconds()


def cache_note(experiment: Experiment) -> str | None:
    """The run's one line about the cache's age limit; None when there is none to tell.

    Printed on URL runs because their default limit costs calls a user may not expect, and on
    embedded runs only when a limit was set (by default their answers never expire).
    """
    if not isinstance(experiment.target, UrlTarget) and experiment.cache.max_age is None:
        return None
    limit = experiment.cache_max_age_s
    how = "cache.max_age in the experiment, or run --cache-max-age"
    if limit is None:
        return f"cached answers are reused whatever their age ({how})"
    return (
        f"cached answers older than {format_duration(limit)} are bought again: the vendor can "
        f"change its model without notice ({how})"
    )
