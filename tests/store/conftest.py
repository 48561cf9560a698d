"""The contract fixture: every test taking ``store`` runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scribe_eval.store import RunStore, open_store

OpenStore = Callable[[], RunStore]


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def open_same(request: pytest.FixtureRequest, tmp_path: Path) -> OpenStore:
    """Opens (again) the same store of the parametrised kind."""
    spec = request.getfixturevalue("pg_url") if request.param == "postgresql" else None
    return lambda: open_store(spec, tmp_path / "runs")


@pytest.fixture
def store(open_same: OpenStore) -> Iterator[RunStore]:
    """An empty store of the parametrised kind."""
    with open_same() as opened:
        yield opened
