"""The store's clock: one format for every timestamp it writes."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> str:
    """The current time as an ISO-8601 UTC string with a ``Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
