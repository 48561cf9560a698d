"""Options shared by several sub-commands.

One meaning per flag across the CLI: ``-o/--output`` is always where a command writes its output
(a file or a folder), and the runs directory is always ``--runs-dir`` (no short form).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from scribe_eval.store import default_runs_dir

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
