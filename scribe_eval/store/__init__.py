"""The run store: every run, cell, cached stage answer, blessed baseline and run lease.

Used alike by ``scribe-eval run``, ``runs``, ``report`` and ``compare``. By default one SQLite file
in the runs directory (``runs/`` by default, ``--runs-dir`` or ``SCRIBE_EVAL_RUNS_DIR`` to
change); with ``--store postgresql://...`` (or ``SCRIBE_EVAL_STORE``) a PostgreSQL database shared
by a team. ``open_store`` picks the kind; both pass one contract test suite. It never holds a
credential.

Each cell is stored with its full scores and, beside them, its typed top-level figures
(`CellFigures`): ``cell_summaries(run)`` reads a whole run without the scores (what compare, the
gate and the report's tables need), ``encounter_cells(run, encounter)`` one encounter's full cells.
``run_listings()`` reads every run as `scribe-eval runs list` shows it (`RunListing`), without
building the typed records.

Names are imported on first use (PEP 562): opening a store and listing its runs imports no
pydantic (the records' models, ~0.2 s of a command's start-up).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scribe_eval._lazy import lazy_exports

if TYPE_CHECKING:
    from scribe_eval.store._base import current_user
    from scribe_eval.store._clock import read_utc, utc_now
    from scribe_eval.store._copy import copy_store
    from scribe_eval.store._holder import RUNNER_GONE, holder_gone, process_alive, runner_gone
    from scribe_eval.store._location import STORE_FILENAME, default_runs_dir
    from scribe_eval.store._open import is_postgres_url, open_store, store_spec
    from scribe_eval.store._records import (
        JUDGE_UNFINISHED,
        BaselineEvent,
        CacheEntry,
        CellFields,
        CellRecord,
        DatasetInfo,
        Lease,
        MetricSettings,
        Provenance,
        RemoteRecord,
        RunRecord,
        TemplateInfo,
    )
    from scribe_eval.store._rows import (
        CellKind,
        CellStatus,
        RemoteState,
        RunListing,
        RunStatus,
        TranscriptSource,
    )
    from scribe_eval.store._store import RunStore, SqliteRunStore
    from scribe_eval.store._summary import CellFigures, CellSummary, SpeakerFigures, summary_of
    from scribe_eval.store._urls import redact_url

# Public name -> the private module defining it.
_EXPORTS: dict[str, str] = {
    "current_user": "_base",
    "read_utc": "_clock",
    "utc_now": "_clock",
    "copy_store": "_copy",
    "RUNNER_GONE": "_holder",
    "holder_gone": "_holder",
    "process_alive": "_holder",
    "runner_gone": "_holder",
    "is_postgres_url": "_open",
    "open_store": "_open",
    "store_spec": "_open",
    "JUDGE_UNFINISHED": "_records",
    "BaselineEvent": "_records",
    "CacheEntry": "_records",
    "CellFields": "_records",
    "CellRecord": "_records",
    "DatasetInfo": "_records",
    "Lease": "_records",
    "MetricSettings": "_records",
    "Provenance": "_records",
    "RemoteRecord": "_records",
    "RunRecord": "_records",
    "TemplateInfo": "_records",
    "CellKind": "_rows",
    "CellStatus": "_rows",
    "RemoteState": "_rows",
    "RunListing": "_rows",
    "RunStatus": "_rows",
    "TranscriptSource": "_rows",
    "STORE_FILENAME": "_location",
    "RunStore": "_store",
    "SqliteRunStore": "_store",
    "default_runs_dir": "_location",
    "CellFigures": "_summary",
    "CellSummary": "_summary",
    "SpeakerFigures": "_summary",
    "summary_of": "_summary",
    "redact_url": "_urls",
}

__all__ = [
    "JUDGE_UNFINISHED",
    "RUNNER_GONE",
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
    "RunListing",
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
    "holder_gone",
    "is_postgres_url",
    "open_store",
    "process_alive",
    "read_utc",
    "redact_url",
    "runner_gone",
    "store_spec",
    "summary_of",
    "utc_now",
]


__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, __all__)
