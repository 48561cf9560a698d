"""The run store: every run, cell, cached stage answer, blessed baseline and run lease.

Used alike by ``scribe-eval run``, ``runs``, ``report`` and ``compare``. By default one SQLite file
in the runs directory (``runs/`` by default, ``--runs-dir`` or ``SCRIBE_EVAL_RUNS_DIR`` to
change); with ``--store postgresql://...`` (or ``SCRIBE_EVAL_STORE``) a PostgreSQL database shared
by a team. ``open_store`` picks the kind; both pass one contract test suite. It never holds a
credential.

Each cell is stored with its full scores and, beside them, its typed top-level figures
(`CellFigures`): ``cell_summaries(run)`` reads a whole run without the scores (what compare, the
gate and the report's tables need), ``encounter_cells(run, encounter)`` one encounter's full cells.
"""

from __future__ import annotations

from scribe_eval.store._base import RunStore, current_user
from scribe_eval.store._clock import utc_now
from scribe_eval.store._copy import copy_store
from scribe_eval.store._open import is_postgres_url, open_store, store_spec
from scribe_eval.store._records import (
    BaselineEvent,
    CacheEntry,
    CellFields,
    CellKind,
    CellRecord,
    CellStatus,
    DatasetInfo,
    Lease,
    MetricSettings,
    Provenance,
    RemoteRecord,
    RemoteState,
    RunRecord,
    RunStatus,
    TemplateInfo,
    TranscriptSource,
)
from scribe_eval.store._store import (
    STORE_FILENAME,
    SqliteRunStore,
    default_runs_dir,
)
from scribe_eval.store._summary import CellFigures, CellSummary, SpeakerFigures, summary_of
from scribe_eval.store._urls import redact_url

__all__ = [
    "STORE_FILENAME",
    "BaselineEvent",
    "CacheEntry",
    "CellFields",
    "CellFigures",
    "CellKind",
    "CellRecord",
    "CellStatus",
    "CellSummary",
    "DatasetInfo",
    "Lease",
    "MetricSettings",
    "Provenance",
    "RemoteRecord",
    "RemoteState",
    "RunRecord",
    "RunStatus",
    "RunStore",
    "SpeakerFigures",
    "SqliteRunStore",
    "TemplateInfo",
    "TranscriptSource",
    "copy_store",
    "current_user",
    "default_runs_dir",
    "is_postgres_url",
    "open_store",
    "redact_url",
    "store_spec",
    "summary_of",
    "utc_now",
]
