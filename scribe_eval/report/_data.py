"""What a report is built from: the run, its cells, the stored API answers and the dataset."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from hashlib import sha256
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from scribe_eval.api import Document, Transcript
from scribe_eval.dataset import Dataset, Encounter, load_dataset
from scribe_eval.errors import ScribeEvalError
from scribe_eval.store import CellRecord, RunRecord, RunStore

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass
class RunData:
    """One run with its cells grouped, and its dataset when it is still there unchanged."""

    store: RunStore
    run: RunRecord
    cells: list[CellRecord]
    dataset: Dataset | None
    dataset_problem: str | None
    transcripts: dict[str, list[CellRecord]] = field(default_factory=dict)
    documents: dict[str, list[CellRecord]] = field(default_factory=dict)
    _index: dict[str, Encounter] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        by_transcript: dict[str, list[CellRecord]] = defaultdict(list)
        by_document: dict[str, list[CellRecord]] = defaultdict(list)
        for cell in self.cells:
            target = by_transcript if cell.kind == "transcript" else by_document
            target[cell.encounter_id].append(cell)
        self.transcripts = dict(by_transcript)
        self.documents = dict(by_document)
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

    def transcript(self, cell: CellRecord) -> Transcript | None:
        """The stored transcript answer of a transcript cell, or None."""
        value = self._cached(cell)
        try:
            return None if value is None else Transcript.model_validate(value)
        except ValidationError:
            return None

    def document(self, cell: CellRecord) -> Document | None:
        """The stored document answer of a document cell, or None."""
        value = self._cached(cell)
        try:
            return None if value is None else Document.model_validate(value)
        except ValidationError:
            return None

    def _cached(self, cell: CellRecord) -> dict[str, Any] | None:
        if not cell.cache_key or cell.status != "ok":
            return None
        entry = self.store.cache_get(cell.cache_key)
        return None if entry is None else entry.value

    @property
    def seed(self) -> int:
        """The run's recorded statistics seed (0 when the run recorded none)."""
        return int(self.run.provenance.get("metrics", {}).get("seed", 0) or 0)

    @property
    def resamples(self) -> int:
        """The run's recorded bootstrap resample count (2000 when it recorded none)."""
        return int(self.run.provenance.get("metrics", {}).get("bootstrap", 2000) or 2000)


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
    return RunData(store, run, store.cells(run.id), dataset, problem)


def _root(run: RunRecord) -> str | None:
    root = (run.provenance.get("dataset") or {}).get("root")
    return str(root) if root else None


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


def page_name(encounter_id: str) -> str:
    """The file name of an encounter's page: safe characters, unique per id."""
    safe = _SAFE_NAME.sub("_", encounter_id)[:80]
    if safe != encounter_id:
        safe = f"{safe}-{sha256(encounter_id.encode()).hexdigest()[:8]}"
    return f"{safe}.html"
