"""When to try a call again, and how long to wait first.

Retries follow the contract (section 7): 408, 429 and every 5xx, and transport failures, are
retried with exponential back-off and *full jitter* (a wait drawn uniformly between zero and the
exponential ceiling, so that many workers hit by the same blip do not return in lock-step). A
``Retry-After`` header, in seconds or as an HTTP date, is a floor the client honours; when it asks
for more than ``max_wait`` the client stops at once instead of hammering the server sooner.
"""

from __future__ import annotations

import email.utils
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

#: Statuses worth trying again: the server asked us to, or may succeed next time.
RETRY_STATUSES = frozenset({408, 429})


def is_retryable_status(status: int) -> bool:
    """True for 408, 429 and every 5xx; other 4xx answers never change on a retry."""
    return status in RETRY_STATUSES or 500 <= status <= 599


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a failed call is tried again.

    Attributes:
        max_attempts: Attempts in all, the first included (1 disables retries).
        initial_backoff: Ceiling of the first jittered wait, in seconds; it doubles per attempt.
        max_backoff: Largest ceiling of a jittered wait, in seconds.
        max_wait: Longest single wait the client accepts, ``Retry-After`` included; a server that
            asks for longer gets no further attempt.
    """

    max_attempts: int = 4
    initial_backoff: float = 0.5
    max_backoff: float = 20.0
    max_wait: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError(f"max_attempts must be at least 1, got {self.max_attempts}")
        if min(self.initial_backoff, self.max_backoff, self.max_wait) < 0:
            raise ValueError("back-off times must not be negative")

    def backoff(self, attempt: int, rng: Callable[[], float] = random.random) -> float:
        """The jittered wait after failed attempt number ``attempt`` (1-based), in seconds."""
        ceiling = min(self.max_backoff, self.initial_backoff * 2.0 ** (attempt - 1))
        return float(rng() * ceiling)

    def delay(
        self, attempt: int, retry_after: float | None, rng: Callable[[], float] = random.random
    ) -> float | None:
        """The wait before the next attempt, or None when the server asks for too long a wait."""
        if retry_after is not None:
            return retry_after if retry_after <= self.max_wait else None
        return min(self.backoff(attempt, rng), self.max_wait)


@dataclass(frozen=True, slots=True)
class PollPolicy:
    """How a processing transcript is polled.

    Attributes:
        initial_interval: First wait before asking for the status again, in seconds.
        factor: Growth of the wait after each ``processing`` answer.
        max_interval: Longest wait between two status calls, in seconds.
        deadline: Time after which waiting gives up with ``TranscriptFailedError``, in seconds.
    """

    initial_interval: float = 1.0
    factor: float = 1.5
    max_interval: float = 10.0
    deadline: float = 900.0

    def interval(self, poll: int) -> float:
        """The wait after status call number ``poll`` (1-based), in seconds."""
        return min(self.max_interval, self.initial_interval * self.factor ** (poll - 1))


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from ``Retry-After`` (delta seconds or HTTP date); None if unusable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return max(0.0, seconds) if seconds == seconds else None
