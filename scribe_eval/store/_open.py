"""Choosing a store: ``open_store(spec, runs_dir)`` and the password-free form of a store URL.

A command that only reads (``runs list``, ``report``, ``compare``...) opens with
``read_only=True``: a store that does not exist is an error naming the place, never a new empty
store (a mistyped ``--runs-dir`` used to leave a folder and a store behind and list no runs).
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

from scribe_eval.errors import ConfigError, StoreError
from scribe_eval.store._base import RunStore
from scribe_eval.store._location import STORE_FILENAME, missing_store_message

POSTGRES_SCHEMES = ("postgresql", "postgres")


def store_spec(spec: str | None = None) -> str | None:
    """The store the user chose: ``spec``, else ``$SCRIBE_EVAL_STORE``, else None (SQLite).

    Raises:
        ConfigError: A URL of another scheme than ``postgresql://`` (``mysql://``, the typo
            ``postgresq://``): taken for a folder, it would quietly start a new local history.
    """
    chosen = spec or os.environ.get("SCRIBE_EVAL_STORE") or None
    if chosen is not None and "://" in chosen and not is_postgres_url(chosen):
        scheme = chosen.split("://", 1)[0]
        origin = "--store" if spec else "SCRIBE_EVAL_STORE"
        raise ConfigError(
            f"{origin}: a store URL must start with postgresql:// (not {scheme}://); for a local "
            "store give a folder (or leave it out for the runs directory)"
        )
    return chosen


def is_postgres_url(spec: str) -> bool:
    """Whether ``spec`` is a ``postgresql://`` (or ``postgres://``) URL."""
    return urlsplit(spec).scheme in POSTGRES_SCHEMES


def open_store(spec: str | None, runs_dir: Path, *, read_only: bool = False) -> RunStore:
    """Open the store ``spec`` names (see ``store_spec``); None opens ``runs_dir``'s SQLite file.

    Args:
        spec: A ``postgresql://user@host:port/db`` URL (password from the URL or ``PGPASSWORD``,
            never stored), a runs directory, or None for the default.
        runs_dir: The local runs directory (the SQLite file, target state).
        read_only: For a command that only reads: the store must exist (StoreError naming the
            place otherwise; nothing is created), and PostgreSQL is read over one connection
            instead of a pool (psycopg_pool and a second connection are most of a short
            command's cost).
    """
    chosen = store_spec(spec)
    if chosen is not None and is_postgres_url(chosen):
        from scribe_eval.store._pg import PgRunStore

        return PgRunStore(chosen, runs_dir=runs_dir, read_only=read_only)
    from scribe_eval.store._store import SqliteRunStore

    folder = Path(chosen) if chosen is not None else runs_dir
    if read_only and not (folder / STORE_FILENAME).is_file():
        raise StoreError(missing_store_message(str(folder)))
    return SqliteRunStore(folder)
