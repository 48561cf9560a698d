"""Test isolation shared by every test: no SCRIBE_EVAL_* from the caller, paths under tmp_path."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _isolate_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Remove the caller's SCRIBE_EVAL_* settings; keep one shared model cache for the session."""
    for name in list(os.environ):
        if name.startswith("SCRIBE_EVAL_"):
            monkeypatch.delenv(name)
    # Reassembling and verifying speech weights is slow: share one cache folder for the
    # whole session (the weights are verified by hash, so sharing cannot leak state).
    monkeypatch.setenv("SCRIBE_EVAL_CACHE_DIR", str(_shared_cache(tmp_path_factory)))


def _shared_cache(factory: pytest.TempPathFactory) -> Path:
    base = factory.getbasetemp() / "model-cache"
    base.mkdir(parents=True, exist_ok=True)
    return base


@pytest.fixture
def project_root() -> Path:
    """The repository root (for the bundled sample dataset and example files)."""
    return Path(__file__).resolve().parent.parent


# PostgreSQL: tests marked `postgres` (or using `pg_url`) need the server at 127.0.0.1:5432
# (trust auth, user postgres, database test). Without it they are deselected with one line saying
# why; under CI=true they run and fail instead, so that CI can never pass without them.
# Read once at import: the isolation fixture above removes SCRIBE_EVAL_* before each test.
POSTGRES_ADMIN_URL = (
    os.environ.get("SCRIBE_EVAL_TEST_POSTGRES") or "postgresql://postgres@127.0.0.1:5432/test"
)
_POSTGRES_SKIPPED: list[str] = []


def _postgres_admin_url() -> str:
    return POSTGRES_ADMIN_URL


def _postgres_problem() -> str | None:
    import psycopg

    try:
        psycopg.connect(_postgres_admin_url(), connect_timeout=3).close()
    except psycopg.Error as exc:
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return None


def _needs_postgres(item: pytest.Item) -> bool:
    return item.get_closest_marker("postgres") is not None or "pg_url" in getattr(
        item, "fixturenames", ()
    )


@pytest.hookimpl(trylast=True)  # after -k and -m: count only the tests that would have run
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the PostgreSQL tests when the server is unreachable (never under CI=true)."""
    wanted = [item for item in items if _needs_postgres(item)]
    if not wanted or os.environ.get("CI") == "true":
        return
    problem = _postgres_problem()
    if problem is None:
        return
    items[:] = [item for item in items if not _needs_postgres(item)]
    config.hook.pytest_deselected(items=wanted)
    _POSTGRES_SKIPPED.append(
        f"SKIPPED {len(wanted)} PostgreSQL tests: {_postgres_admin_url()} unreachable "
        f"({problem}); start PostgreSQL 15 there (trust auth) to run them"
    )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The one line saying why the PostgreSQL tests did not run."""
    for line in _POSTGRES_SKIPPED:
        terminalreporter.write_line(line)


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL to a fresh schema of the test database, dropped afterwards (fails when unreachable)."""
    import psycopg

    schema = f"scribe_test_{uuid.uuid4().hex[:12]}"
    admin = _postgres_admin_url()
    try:
        with psycopg.connect(admin, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.Error as exc:
        pytest.fail(f"PostgreSQL tests need {admin} (CI must run them): {exc}")
    separator = "&" if "?" in admin else "?"
    yield f"{admin}{separator}options=-csearch_path%3D{schema}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA {schema} CASCADE")
