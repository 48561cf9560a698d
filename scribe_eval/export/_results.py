"""``load_run``: a stored run as typed records, flat rows and (with pandas) a DataFrame."""

from __future__ import annotations

import importlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scribe_eval.errors import ConfigError
from scribe_eval.store import CellRecord, RunRecord, default_runs_dir, open_store

#: The cell's own fields, in the order they lead every row.
CELL_COLUMNS = (
    "cell_id", "kind", "encounter_id", "template_label", "language", "recording_language",
    "source", "status", "stage", "error_type", "error_message", "request_id", "from_cache",
    "spec_hash", "cache_key", "updated",
)  # fmt: skip


@dataclass(frozen=True)
class RunResults:
    """A run and its cells as the run store holds them.

    Attributes:
        run: The run's record (target, configuration and provenance included).
        cells: Every cell, transcripts first, each with its scores and stage timings.
    """

    run: RunRecord
    cells: tuple[CellRecord, ...]

    def provenance(self) -> dict[str, Any]:
        """The run-level columns every row carries: what produced the numbers."""
        prov = self.run.provenance
        metrics = prov.get("metrics") or {}
        return {
            "run_id": self.run.id,
            "run_name": self.run.name,
            "run_status": self.run.status,
            "run_created": self.run.created,
            "experiment_hash": self.run.experiment_hash,
            "dataset_name": self.run.dataset_name,
            "dataset_hash": self.run.dataset_hash,
            "target_kind": self.run.target.get("kind"),
            "scribe_eval_version": prov.get("scribe_eval"),
            "metrics_version": metrics.get("version"),
            "tokenizer": metrics.get("tokenizer"),
            "seed": metrics.get("seed"),
        }

    def rows(self) -> list[dict[str, Any]]:
        """One flat dict per cell: provenance, the cell's fields, ``scores.*``, ``timing_ms.*``.

        Every row has the same keys (a score a cell lacks is ``None``), in a stable order.
        """
        provenance = self.provenance()
        flat = [_flat_cell(cell) for cell in self.cells]
        extra = sorted({key for row in flat for key in row if key not in CELL_COLUMNS})
        scores = [k for k in extra if k.startswith("scores.")]
        timings = [k for k in extra if k.startswith("timing_ms.")]
        columns = [*CELL_COLUMNS, *scores, *timings]
        return [{**provenance, **{c: row.get(c) for c in columns}} for row in flat]

    def to_dataframe(self) -> Any:
        """The rows as a ``pandas.DataFrame`` (needs the ``export`` extra)."""
        pandas = optional_import("pandas", "a DataFrame")
        return pandas.DataFrame(self.rows())


def load_run(
    run: str = "latest", runs_dir: str | Path | None = None, *, store: str | None = None
) -> RunResults:
    """Read a run from the run store: an id, a unique id prefix, ``latest`` or a baseline name.

    ``runs_dir`` defaults to ``$SCRIBE_EVAL_RUNS_DIR`` or ``runs/``, as on the command line;
    ``store`` (default ``$SCRIBE_EVAL_STORE``) names a ``postgresql://`` team store instead.
    """
    folder = Path(runs_dir) if runs_dir is not None else default_runs_dir()
    with open_store(store, folder, read_only=True) as store_:
        record = store_.resolve_run(run)
        cells = store_.cells(record.id)
    ordered = sorted(cells, key=lambda c: (c.kind != "transcript", c.cell_id))
    return RunResults(run=record, cells=tuple(ordered))


def flatten_scores(scores: Mapping[str, Any], prefix: str = "scores") -> dict[str, Any]:
    """``{"speakers": {"doctor": {"wer": 0.1}}}`` -> ``{"scores.speakers.doctor.wer": 0.1}``.

    Lists (missed terms, per-section results) become JSON text, so that every value is a scalar.
    """
    flat: dict[str, Any] = {}
    for key, value in scores.items():
        name = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            flat.update(flatten_scores(value, name))
        elif isinstance(value, list | tuple):
            flat[name] = json.dumps(value, ensure_ascii=False, sort_keys=True)
        else:
            flat[name] = value
    return flat


def optional_import(module: str, purpose: str) -> Any:
    """Import an optional dependency, or fail in one line naming the extra that provides it."""
    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(
            f"{purpose} needs {module}, which is not installed; "
            "install the export extra: pip install 'ambient-scribe-eval[export]' "
            "(with pipx: pipx inject ambient-scribe-eval pandas pyarrow)"
        ) from None


def _flat_cell(cell: CellRecord) -> dict[str, Any]:
    row = cell.model_dump(include=set(CELL_COLUMNS))
    row.update(flatten_scores(cell.scores))
    row.update({f"timing_ms.{stage}": ms for stage, ms in cell.timings.items()})
    return row
