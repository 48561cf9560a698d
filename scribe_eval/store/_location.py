"""Where a run store lives: the runs directory's default, the SQLite file's name, and what a
read-only command says when there is no store where it looks (see ``open_store``)."""

from __future__ import annotations

import os
from pathlib import Path

STORE_FILENAME = "scribe-eval.sqlite"


def default_runs_dir() -> Path:
    """``$SCRIBE_EVAL_RUNS_DIR``, else ``runs/`` in the current folder."""
    return Path(os.environ.get("SCRIBE_EVAL_RUNS_DIR") or "runs")


def missing_store_message(location: str) -> str:
    """What a read-only command says when there is no run store at ``location``."""
    return (
        f"no run store at {location}; create one with `scribe-eval run EXPERIMENT.yaml` (same "
        "--runs-dir or --store), or point --runs-dir/--store at the one holding your runs"
    )
