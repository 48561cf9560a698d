"""The contract fixtures: every test taking them runs once on SQLite and once on PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scribe_eval.store import RunStore, open_store

OpenStore = Callable[[], RunStore]


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def store_url(request: pytest.FixtureRequest) -> str | None:
    """None for the SQLite file of the runs directory, else a fresh PostgreSQL schema's URL."""
    return str(request.getfixturevalue("pg_url")) if request.param == "postgresql" else None


@pytest.fixture
def open_same(store_url: str | None, tmp_path: Path) -> OpenStore:
    """Opens (again) the same store of the parametrised kind."""
    return lambda: open_store(store_url, tmp_path / "runs")


@pytest.fixture
def store(open_same: OpenStore) -> Iterator[RunStore]:
    """An empty store of the parametrised kind."""
    with open_same() as opened:
        yield opened


@pytest.fixture
def cli_args(store_url: str | None, tmp_path: Path) -> list[str]:
    """The command-line options that open the same store as ``open_same``."""
    args = ["--runs-dir", str(tmp_path / "runs")]
    return args if store_url is None else [*args, "--store", store_url]
