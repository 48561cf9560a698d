"""The run store: every run, cell, cached stage answer and blessed baseline, in one SQLite file.

Used alike by ``scribe-eval run``, ``runs``, ``report`` and ``compare``; the file lives in the runs
directory (``runs/`` by default, ``--runs-dir`` or ``SCRIBE_EVAL_RUNS_DIR`` to change). It never
holds a credential.
"""

from __future__ import annotations

from scribe_eval.store._records import (
    CacheEntry,
    CellKind,
    CellRecord,
    CellStatus,
    DatasetInfo,
    MetricSettings,
    Provenance,
    RemoteRecord,
    RemoteState,
    RunRecord,
    RunStatus,
    TemplateInfo,
    TranscriptSource,
)
from scribe_eval.store._store import STORE_FILENAME, RunStore, default_runs_dir, utc_now

__all__ = [
    "STORE_FILENAME",
    "CacheEntry",
    "CellKind",
    "CellRecord",
    "CellStatus",
    "DatasetInfo",
    "MetricSettings",
    "Provenance",
    "RemoteRecord",
    "RemoteState",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "TemplateInfo",
    "TranscriptSource",
    "default_runs_dir",
    "utc_now",
]
