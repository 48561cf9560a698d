"""Turning a run's cells into per-slice, per-encounter samples for the gate and the report."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scribe_eval.dataset import load_dataset
from scribe_eval.errors import ScribeEvalError
from scribe_eval.store import CellRecord, RunRecord, RunStore

SliceKey = tuple[tuple[str, str], ...]
"""A slice as sorted (dimension, value) pairs; ``()`` is the whole run."""


@dataclass
class RunData:
    """A run, its cells and each encounter's slicing labels (specialty, tags) when known."""

    run: RunRecord
    cells: list[CellRecord]
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)


def load_run_data(store: RunStore, run: RunRecord) -> RunData:
    """Read a run's cells; specialty and tags come from its dataset when the folder still exists."""
    labels: dict[str, dict[str, Any]] = {}
    root = (run.provenance.get("dataset") or {}).get("root")
    if root and Path(root).exists():
        try:
            dataset = load_dataset(Path(root))
        except ScribeEvalError:
            dataset = None
        if dataset is not None:
            for encounter in dataset.encounters:
                meta = encounter.metadata
                labels[encounter.id] = {"specialty": meta.specialty, "tags": tuple(meta.tags)}
    return RunData(run=run, cells=store.cells(run.id), labels=labels)


def slice_keys(
    data: RunData, cell: CellRecord, by: Sequence[str], where: Mapping[Any, str]
) -> list[SliceKey]:
    """The slices a cell belongs to (a cell with several tags is in several ``tag`` slices)."""
    options: list[list[tuple[str, str]]] = []
    for dimension in sorted(set(by) | set(where)):
        values = _values(data, cell, dimension)
        if dimension in where:
            values = [v for v in values if v == where[dimension]]
        if not values:
            return []
        if dimension in by:
            options.append([(dimension, v) for v in values])
    keys: list[SliceKey] = [()]
    for choices in options:
        keys = [(*key, choice) for key in keys for choice in choices]
    return keys


def _values(data: RunData, cell: CellRecord, dimension: str) -> list[str]:
    if dimension == "language":
        return [cell.language]
    if dimension == "source":
        return [cell.source]
    if dimension == "template":
        # Transcripts are shared by all templates: they belong to every template slice.
        return ["*"] if cell.kind == "transcript" else [cell.template_label]
    labels = data.labels.get(cell.encounter_id, {})
    if dimension == "specialty":
        return [labels["specialty"]] if labels.get("specialty") else []
    return list(labels.get("tags", ()))


def numerator_denominator(
    cell: CellRecord, numerator: str, denominator: str | None
) -> tuple[float, float] | None:
    """A cell's contribution to a metric, or None when the cell has no usable score."""
    if cell.status != "ok" or "unscored" in cell.scores:
        return None
    scores = cell.scores
    if numerator == "errors":
        parts = [scores.get(k) for k in ("substitutions", "deletions", "insertions")]
        if any(not isinstance(p, int | float) for p in parts):
            return None
        value: Any = sum(float(p) for p in parts if p is not None)
    else:
        value = scores.get(numerator)
    if not isinstance(value, int | float) or math.isnan(float(value)):
        return None
    if denominator is None:
        return float(value), 1.0
    total = scores.get(denominator)
    if not isinstance(total, int | float) or total <= 0:
        return None
    return float(value), float(total)


def per_encounter(
    data: RunData,
    cells: Iterable[CellRecord],
    numerator: str,
    denominator: str | None,
    by: Sequence[str],
    where: Mapping[Any, str],
) -> dict[SliceKey, dict[str, tuple[float, float]]]:
    """Slice -> encounter -> (numerator, denominator), cells of one encounter pooled.

    For a mean metric the per-encounter value is the mean over that encounter's cells in the
    slice (e.g. over templates), so the bootstrap always resamples encounters.
    """
    sums: dict[SliceKey, dict[str, list[float]]] = {}
    for cell in cells:
        pair = numerator_denominator(cell, numerator, denominator)
        if pair is None:
            continue
        for key in slice_keys(data, cell, by, where):
            entry = sums.setdefault(key, {}).setdefault(cell.encounter_id, [0.0, 0.0, 0.0])
            entry[0] += pair[0]
            entry[1] += pair[1]
            entry[2] += 1
    out: dict[SliceKey, dict[str, tuple[float, float]]] = {}
    for key, encounters in sums.items():
        if denominator is None:
            out[key] = {e: (v[0] / v[2], 1.0) for e, v in encounters.items()}
        else:
            out[key] = {e: (v[0], v[1]) for e, v in encounters.items()}
    return out


def describe_slice(key: SliceKey) -> str:
    """``language=en, template=soap`` (or ``all`` for the whole run)."""
    return ", ".join(f"{d}={v}" for d, v in key) or "all"
