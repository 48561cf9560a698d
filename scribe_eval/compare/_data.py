"""The results layer's read model: one run, its cells, its dataset, and its samples.

`load_run_data` reads a run once: its record, its cells' summaries grouped by encounter (each
cell's typed top-level figures, `scribe_eval.store.CellFigures`, not its full scores: a run of
12,500 cells would hold 200 MB of them), and its dataset when the folder is still there *and* its
content hash equals the one the run recorded (otherwise the reason why not). `RunData.full_cells`
reads one encounter's full cells when a page needs them. `samples` is the only way cells become
per-encounter statistics samples; the gate, ``compare``, and the report's leaderboards, overview,
slices and compare page all call it, so one question always gets one number.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import Dataset, Encounter, load_dataset
from scribe_eval.errors import ScribeEvalError
from scribe_eval.metrics import MetricSpec, metric
from scribe_eval.stats import MetricSample
from scribe_eval.store import (
    CellFields,
    CellRecord,
    CellSummary,
    Provenance,
    RunRecord,
    RunStore,
    TemplateInfo,
)

Dimension = Literal["language", "template", "source", "reference", "specialty", "tag"]
SliceKey = tuple[tuple[str, str], ...]
"""A slice as sorted (dimension, value) pairs; ``()`` is the whole run."""

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class RunData:
    """One run with its cells' summaries grouped by encounter, and its dataset when still there
    unchanged."""

    store: RunStore
    run: RunRecord
    cells: list[CellSummary]
    dataset: Dataset | None
    dataset_problem: str | None
    transcripts: dict[str, list[CellSummary]] = field(default_factory=dict)
    documents: dict[str, list[CellSummary]] = field(default_factory=dict)
    by_id: dict[str, CellSummary] = field(default_factory=dict)
    meta: Provenance = field(default_factory=Provenance)
    _index: dict[str, Encounter] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.meta = self.run.meta
        by_transcript: dict[str, list[CellSummary]] = defaultdict(list)
        by_document: dict[str, list[CellSummary]] = defaultdict(list)
        for cell in self.cells:
            target = by_transcript if cell.kind == "transcript" else by_document
            target[cell.encounter_id].append(cell)
        self.transcripts = dict(by_transcript)
        self.documents = dict(by_document)
        self.by_id = {cell.cell_id: cell for cell in self.cells}
        self._index = {e.id: e for e in self.dataset.encounters} if self.dataset else {}

    @property
    def encounter_ids(self) -> list[str]:
        """Every encounter with a cell, in dataset order where known, else sorted."""
        seen = set(self.transcripts) | set(self.documents)
        if self.dataset is not None:
            ordered = [e.id for e in self.dataset.encounters if e.id in seen]
            return ordered + sorted(seen - set(ordered))
        return sorted(seen)

    def encounter(self, encounter_id: str) -> Encounter | None:
        """The dataset's encounter, or None when the dataset is unavailable or lacks it."""
        return self._index.get(encounter_id)

    def full_cells(self, encounter_id: str) -> list[CellRecord]:
        """One encounter's full cells (with every stored score), read now and not kept."""
        return self.store.encounter_cells(self.run.id, encounter_id)

    def transcript(self, cell: CellFields) -> Transcript | None:
        """The stored transcript answer of a transcript cell, or None."""
        value = self._cached(cell)
        try:
            return None if value is None else Transcript.model_validate(value)
        except ValidationError:
            return None

    def document(self, cell: CellFields) -> Document | None:
        """The stored document answer of a document cell, or None."""
        value = self._cached(cell)
        try:
            return None if value is None else Document.model_validate(value)
        except ValidationError:
            return None

    def _cached(self, cell: CellFields) -> dict[str, Any] | None:
        if not cell.cache_key or cell.status != "ok":
            return None
        entry = self.store.cache_get(cell.cache_key)
        return None if entry is None else entry.value

    @property
    def seed(self) -> int:
        """The run's recorded statistics seed (0 when the run recorded none)."""
        return self.meta.metrics.seed

    @property
    def resamples(self) -> int:
        """The run's recorded bootstrap resample count (2000 when it recorded none)."""
        return self.meta.metrics.bootstrap

    @property
    def templates(self) -> dict[str, TemplateInfo]:
        """The run's templates by label, in the experiment's order (spec hash, reference...)."""
        return {t.label: t for t in self.meta.templates}

    @property
    def several_sources(self) -> bool:
        """True when the run wrote notes from more than one transcript source."""
        return len(self.run.config.get("sources") or ["asr"]) > 1

    def reference_of(self, cell: CellSummary | CellRecord) -> str:
        """The reference note type a document cell is scored against: the one the scorer stored,
        else its template's (a cell not scored yet)."""
        if cell.note_type:
            return cell.note_type
        template = self.templates.get(cell.template_label)
        return template.reference if template else ""

    def values(self, cell: CellSummary, dimension: str) -> list[str]:
        """The values of a slicing dimension for one cell (several for tags)."""
        if dimension == "language":
            return [cell.language]
        if dimension == "source":
            return [cell.source]
        if dimension == "template":
            # A transcript is shared by every template of its encounter.
            return ["*"] if cell.kind == "transcript" else [cell.template_label]
        if dimension == "reference":
            return ["*"] if cell.kind == "transcript" else [self.reference_of(cell)]
        encounter = self.encounter(cell.encounter_id)
        if encounter is None:
            return []
        if dimension == "specialty":
            return [encounter.metadata.specialty] if encounter.metadata.specialty else []
        if dimension == "tag":
            return list(encounter.metadata.tags)
        raise ScribeEvalError(f"unknown slice dimension {dimension!r}")


def load_run_data(store: RunStore, run: RunRecord, *, like: RunData | None = None) -> RunData:
    """Read a run's cells and, when its dataset is still there unchanged, the dataset.

    ``like`` is another run's data whose dataset is reused when both runs used the same one.
    """
    same = (
        like is not None
        and _root(like.run) == _root(run)
        and like.run.dataset_hash == run.dataset_hash
    )
    dataset, problem = (like.dataset, like.dataset_problem) if like and same else _dataset_of(run)
    return RunData(store, run, store.cell_summaries(run.id), dataset, problem)


def _root(run: RunRecord) -> str | None:
    return run.meta.dataset.root or None


def _dataset_of(run: RunRecord) -> tuple[Dataset | None, str | None]:
    root = _root(run)
    if not root:
        return None, "the run did not record where its dataset lives"
    if not Path(root).exists():
        return None, f"the dataset folder {root} is gone"
    try:
        dataset = load_dataset(root)
    except ScribeEvalError as exc:
        return None, f"the dataset at {root} no longer loads ({exc.message})"
    if dataset.content_hash != run.dataset_hash:
        return None, (
            f"the dataset at {root} changed since the run (hash {dataset.content_hash[:12]}, "
            f"the run used {run.dataset_hash[:12]})"
        )
    return dataset, None


def scored(data: RunData, spec: MetricSpec) -> list[CellSummary]:
    """The cells of the metric's kind that finished and carry this metric's score.

    A document without a reference is unscored for ROUGE and facts but still has an adherence
    score: a cell counts for every metric it has.
    """
    return [
        c
        for c in data.cells
        if c.kind == spec.cell and c.status == "ok" and spec.parts(c.figures) is not None
    ]


def samples(
    data: RunData,
    metric_key: str | MetricSpec,
    *,
    by: Sequence[str] = (),
    where: Mapping[Any, str] | None = None,
    encounters: Collection[str] | None = None,
    cells: Iterable[CellSummary] | None = None,
) -> dict[SliceKey, MetricSample]:
    """Per slice, the per-encounter sample of one catalogue metric.

    ``by`` names the slicing dimensions (language, template, source, reference, specialty, tag),
    ``where`` keeps only cells with those values, ``encounters`` only those encounters. Cells of
    one encounter in one slice are pooled the metric's way: numerators and denominators summed
    for a ratio (pooled WER), values averaged for a mean (e.g. over two templates), so the
    bootstrap always resamples encounters.
    """
    spec = metric_key if isinstance(metric_key, MetricSpec) else metric(metric_key)
    wanted = dict(where or {})
    sums: dict[SliceKey, dict[str, list[float]]] = defaultdict(dict)
    for cell in scored(data, spec) if cells is None else cells:
        if encounters is not None and cell.encounter_id not in encounters:
            continue
        pair = spec.parts(cell.figures)
        if pair is None:
            continue
        for key in slice_keys(data, cell, by, wanted):
            entry = sums[key].setdefault(cell.encounter_id, [0.0, 0.0, 0.0])
            entry[0] += pair[0]
            entry[1] += pair[1]
            entry[2] += 1
    out: dict[SliceKey, MetricSample] = {}
    for key, per_encounter in sums.items():
        ids = list(per_encounter)
        if spec.kind == "mean":
            out[key] = MetricSample.from_values(ids, [v[0] / v[2] for v in per_encounter.values()])
        else:
            out[key] = MetricSample.from_ratio(
                ids, [v[0] for v in per_encounter.values()], [v[1] for v in per_encounter.values()]
            )
    return out


def slice_keys(
    data: RunData, cell: CellSummary, by: Sequence[str], where: Mapping[Any, str]
) -> list[SliceKey]:
    """The slices a cell belongs to (a cell with several tags is in several ``tag`` slices)."""
    options: list[list[tuple[str, str]]] = []
    for dimension in sorted(set(by) | set(where)):
        values = data.values(cell, dimension)
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


def per_encounter_values(sample: MetricSample) -> dict[str, float]:
    """Each encounter's own value of a sample (its numerator over its denominator)."""
    return {
        i: float(n / d) if d else 0.0
        for i, n, d in zip(sample.ids, sample.numerators, sample.denominators, strict=True)
    }


def describe_slice(key: SliceKey | Mapping[str, str]) -> str:
    """``language=en, template=soap`` (or ``all`` for the whole run)."""
    items = key.items() if isinstance(key, Mapping) else key
    return ", ".join(f"{d}={v}" for d, v in items) or "all"


def page_name(encounter_id: str) -> str:
    """The file name of an encounter's report page: safe characters, unique per id."""
    safe = _SAFE_NAME.sub("_", encounter_id)[:80]
    if safe != encounter_id:
        safe = f"{safe}-{sha256(encounter_id.encode()).hexdigest()[:8]}"
    return f"{safe}.html"
