"""The report's metric audit: what each metric catches on this run's own dataset.

`scribe_eval.audit.audit_metrics` makes controlled errors in the reference notes (drop a fact,
change a dose tenfold, flip a negation ...) and measures how each metric moves. The report shows
that table in its methods section, so a team sees which metrics would notice which errors before
choosing gate metrics. It is computed once per dataset content, metric version and tokenizer on
at most `AUDIT_NOTES` reference notes, and kept in the run store's cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scribe_eval.audit import AUDIT_METRICS, ERROR_KINDS, PERTURBATIONS, audit_metrics
from scribe_eval.compare import RunData
from scribe_eval.metrics import METRICS, METRICS_VERSION, MetricSpec

#: Reference notes audited at most (the first in dataset order): seconds, not minutes.
AUDIT_NOTES = 40


@dataclass(frozen=True)
class AuditRow:
    """One kind of error: how many notes it applied to, and per metric (moved share, change)."""

    kind: str
    error: bool
    notes: int
    cells: dict[str, tuple[float | None, float | None]]


@dataclass(frozen=True)
class AuditTable:
    """The audit of this run's dataset, as the report shows it."""

    metrics: tuple[MetricSpec, ...]
    rows: tuple[AuditRow, ...]
    notes: int


def audit_table(data: RunData) -> AuditTable | None:
    """The dataset's audit table from the cache, else computed and cached; None without data."""
    dataset = data.dataset
    if dataset is None:
        return None
    tokenizer = data.meta.metrics.tokenizer or "unicode"
    key = f"audit:{dataset.content_hash}:{METRICS_VERSION}:{tokenizer}:{AUDIT_NOTES}"
    cached = data.store.cache_get(key)
    if cached is None:
        value = _compute(data, tokenizer)
        data.store.cache_put(key, "audit", value)
    else:
        value = cached.value
    return _table(value)


def _compute(data: RunData, tokenizer: str) -> dict[str, Any]:
    assert data.dataset is not None
    kept, notes = [], 0
    for encounter in data.dataset.encounters:
        if notes >= AUDIT_NOTES:
            break
        if encounter.notes:
            kept.append(encounter)
            notes += len(encounter.notes)
    subset = data.dataset.model_copy(update={"encounters": tuple(kept)})
    chosen: Any = "rouge-score" if tokenizer == "rouge-score" else "unicode"
    result = audit_metrics(subset, tokenizer=chosen)
    return {**result.as_dict(), "notes": notes}


def _table(value: dict[str, Any]) -> AuditTable | None:
    cells = value.get("cells") or []
    if not cells:
        return None
    metrics = tuple(METRICS[m] for m in AUDIT_METRICS if m in METRICS)
    rows = []
    for kind in PERTURBATIONS:
        mine = [c for c in cells if c["kind"] == kind]
        if not mine:
            continue
        rows.append(
            AuditRow(
                kind=kind,
                error=kind in ERROR_KINDS,
                notes=max((c["notes"] for c in mine), default=0),
                cells={c["metric"]: (c["moved"], c["mean_delta"]) for c in mine},
            )
        )
    return AuditTable(metrics, tuple(rows), int(value.get("notes") or 0))
