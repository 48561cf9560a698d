"""Options shared by several sub-commands.

One meaning per flag across the CLI: ``-o/--output`` is always where a command writes its output
(a file or a folder), and the runs directory is always ``--runs-dir`` (no short form).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from scribe_eval.store import default_runs_dir, open_store

# Only for the annotations: the package hands `RunStore` out from the SQLite backend, which a
# command on a PostgreSQL store has no use for.
if TYPE_CHECKING:
    from scribe_eval.store import RunStore

F = TypeVar("F", bound=Callable[..., Any])


def runs_dir_option(func: F) -> F:
    """``--runs-dir`` (default ``$SCRIBE_EVAL_RUNS_DIR`` or ``runs/``)."""
    option = click.option(
        "--runs-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Runs directory holding the run store [default: $SCRIBE_EVAL_RUNS_DIR or runs/].",
    )
    return option(func)


def resolve_runs_dir(value: Path | None) -> Path:
    """The runs directory the user chose, else the default."""
    return value if value is not None else default_runs_dir()


def store_option(func: F) -> F:
    """``--store URL`` (a ``postgresql://`` team store; default ``$SCRIBE_EVAL_STORE``)."""
    option = click.option(
        "--store",
        "store_url",
        metavar="URL",
        default=None,
        help="A postgresql:// team store (password from PGPASSWORD or the URL, never stored) "
        "[default: $SCRIBE_EVAL_STORE, else the SQLite file in the runs directory].",
    )
    return option(func)


def open_cli_store(
    store_url: str | None, runs_dir: Path | None, *, read_only: bool = False
) -> RunStore:
    """The store ``--store``/``$SCRIBE_EVAL_STORE`` names, else the runs directory's SQLite file.

    ``read_only``: for a command that only reads; a missing store is an ``Error:`` line naming
    it, and nothing is created (see `open_store`).
    """
    return open_store(store_url, resolve_runs_dir(runs_dir), read_only=read_only)
