"""History and drift: one metric per run over time, for one template, language and dataset.

``trend_rows`` is what ``scribe-eval runs trend`` prints and what a report page can plot: one point
per run (mean with its bootstrap interval), oldest first, each marked when the target's identity
(the vendor's model versions, as the target reports them) differs from the point before, so a
silent vendor update shows as a step at a marked point.
"""

from __future__ import annotations

import json
import math
from typing import Any

from pydantic import BaseModel, ConfigDict

from scribe_eval.errors import StoreError
from scribe_eval.stats import MetricSample, bootstrap_estimate
from scribe_eval.store._base import RunStore
from scribe_eval.store._records import CellRecord, RunRecord

TREND_RESAMPLES = 1000


class TrendPoint(BaseModel):
    """One run's value of the metric, with its 95% bootstrap interval over cells."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    run_id: str
    created: str
    dataset_name: str
    dataset_hash: str
    identity: dict[str, Any]
    identity_changed: bool
    n: int
    value: float
    low: float
    high: float


def trend_rows(
    store: RunStore,
    *,
    template: str,
    language: str,
    metric: str = "rougeL_f",
    dataset: str | None = None,
) -> list[TrendPoint]:
    """Every run's ``metric`` for ``template`` x ``language`` on one dataset, oldest first.

    ``dataset`` defaults to the dataset of the newest run that has such cells. Document metrics
    come from the template's document cells; transcript metrics (``wer``, ``cer``) from the
    transcript cells in ``language``. Runs without a value are left out.
    """
    points: list[TrendPoint] = []
    previous: dict[str, Any] | None = None
    for run in sorted(store.list_runs(), key=lambda r: (r.created, r.id)):
        values = _values(store.cells(run.id), template, language, metric)
        if not values:
            continue
        dataset = dataset or _newest_dataset(store, template, language, metric)
        if run.dataset_name != dataset:
            continue
        identity = _identity(run)
        points.append(_point(run, values, identity, previous is not None and identity != previous))
        previous = identity
    return points


def _identity(run: RunRecord) -> dict[str, Any]:
    # URL targets store what the vendor reports under "identity"; the embedded emulator's whole
    # description is its identity (engine, model and emulator versions).
    nested = run.target.get("identity")
    return dict(nested) if isinstance(nested, dict) else dict(run.target)


def _values(cells: list[CellRecord], template: str, language: str, metric: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for cell in cells:
        chosen = cell.kind == "transcript" or cell.template_label == template
        value: Any = cell.scores.get(metric)
        if chosen and cell.language == language and cell.status == "ok" and _finite(value):
            out[cell.cell_id] = float(value)
    return out


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _newest_dataset(store: RunStore, template: str, language: str, metric: str) -> str:
    for run in store.list_runs():
        if _values(store.cells(run.id), template, language, metric):
            return run.dataset_name
    raise StoreError(f"no run has {metric!r} for template {template!r} in {language!r}")


def _point(
    run: RunRecord, values: dict[str, float], identity: dict[str, Any], changed: bool
) -> TrendPoint:
    sample = MetricSample.from_values(list(values), list(values.values()))
    estimate = bootstrap_estimate(sample, resamples=TREND_RESAMPLES)
    return TrendPoint(
        run_id=run.id, created=run.created, dataset_name=run.dataset_name,
        dataset_hash=run.dataset_hash, identity=identity, identity_changed=changed,
        n=estimate.n, value=estimate.value, low=estimate.low, high=estimate.high,
    )  # fmt: skip


def identity_text(identity: dict[str, Any]) -> str:
    """A target identity as compact, stable JSON (for a table cell)."""
    return json.dumps(identity, sort_keys=True, separators=(",", ":"))
