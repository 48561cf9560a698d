"""A cell's summary: its place in the matrix and its top-level figures, without the long lists.

A scored document stores about 16 KB of scores (section pairs, findings, missed and invented
facts); the readers of a whole run (compare, gate, the report's leaderboards, overview, slices
and metric tables) need only a few numbers of each cell. ``CellFigures`` holds those numbers,
typed and read through the metric catalogue: the value of every catalogue metric the cell has,
the per-cell counts behind the pooled ratios (`scribe_eval.metrics.COUNT_KEYS`), the per-speaker
WER figures, and the few labels a reader branches on. The store writes it beside the scores
(column ``figures``) and ``RunStore.cell_summaries`` reads it without the scores, so a report of
12,500 cells holds kilobytes per encounter instead of megabytes.

Adding a metric to the catalogue needs nothing here: the figures keep every catalogue key.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from functools import cache
from hashlib import sha256
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from scribe_eval.store._records import CellFields, CellRecord

if TYPE_CHECKING:
    from scribe_eval.metrics import MetricSpec


class SpeakerFigures(BaseModel):
    """One speaker role's figures of a transcript cell (speaker-attributed WER)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    wer: float | None = None
    errors: float | None = None
    ref_words: float | None = None


class CellFigures(BaseModel):
    """A cell's top-level figures, typed: what every reader of a whole run decides on.

    Attributes:
        metrics: Catalogue key -> the cell's value (None when the scorer stored no finite
            number); only the keys the cell has.
        counts: Count key -> value, for the numerators and denominators of pooled ratios and the
            error and section counts (only finite numbers).
        speakers: Speaker role -> its WER figures (transcripts with named speakers).
        note_type: The reference note type a document was scored against, when stored.
        unscored: Why the cell was not scored (None when it was).
        normalizer: The normaliser a transcript was scored with, when stored.
        digest: SHA-256 of the stored scores' JSON: equal digests mean equal scores.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    metrics: dict[str, float | None] = Field(default_factory=dict)
    counts: dict[str, float] = Field(default_factory=dict)
    speakers: dict[str, SpeakerFigures] = Field(default_factory=dict)
    note_type: str | None = None
    unscored: str | None = None
    normalizer: str | None = None
    digest: str = ""

    @classmethod
    def of(cls, scores: Mapping[str, Any], *, text: str | None = None) -> CellFigures:
        """The figures of stored scores (``text``: their stored JSON, when at hand)."""
        # The catalogue is imported here, not with the store: `runs list` reads no cell.
        from scribe_eval.metrics import METRICS, is_number

        if text is None:
            text = scores_json(scores)
        speakers = scores.get("speakers")
        counts = _count_keys()
        return cls(
            metrics={
                k: float(v) if is_number(v) else None for k, v in scores.items() if k in METRICS
            },
            counts={k: float(v) for k, v in scores.items() if k in counts and is_number(v)},
            speakers={
                str(role): SpeakerFigures.model_validate(_numbers(figures))
                for role, figures in (speakers.items() if isinstance(speakers, dict) else ())
                if isinstance(figures, dict)
            },
            note_type=_text(scores.get("note_type")),
            unscored=None if "unscored" not in scores else str(scores["unscored"] or ""),
            normalizer=_text(scores.get("normalizer")),
            digest=sha256(text.encode()).hexdigest(),
        )

    def get(self, key: str, default: Any = None) -> Any:
        """The number stored under a metric or count key (``default`` when there is none).

        Lets `MetricSpec.parts` read figures as it reads scores.
        """
        if key in self.metrics:
            value = self.metrics[key]
            return default if value is None else value
        return self.counts.get(key, default)

    def parts(self, spec: MetricSpec) -> tuple[float, float] | None:
        """The cell's (numerator, denominator) of a catalogue metric, or None without a score."""
        return spec.parts(self)


class CellSummary(CellFields):
    """A cell without its full scores: what `RunStore.cell_summaries` returns.

    ``figures`` holds the numbers the readers of a whole run use; the full scores of one
    encounter's cells come from `RunStore.encounter_cells`.
    """

    figures: CellFigures = Field(default_factory=CellFigures)

    @property
    def note_type(self) -> str | None:
        """The reference note type the scorer stored for a document (None when it stored none)."""
        return self.figures.note_type


def summary_of(cell: CellRecord) -> CellSummary:
    """The summary of a full cell (as the store would return it)."""
    fields = cell.model_dump(exclude={"scores", "traceback"})
    return CellSummary.model_validate({**fields, "figures": CellFigures.of(cell.scores)})


def scores_json(scores: Mapping[str, Any]) -> str:
    """Scores as the stores keep them (sorted keys), the text the digest is taken of."""
    return json.dumps(scores, sort_keys=True)


@cache
def _count_keys() -> frozenset[str]:
    """The per-cell counts a summary keeps: the catalogue's count keys and every ratio's parts."""
    from scribe_eval.metrics import COUNT_KEYS, METRICS

    parts = {key for spec in METRICS.values() for key in (spec.numerator, spec.denominator)}
    return COUNT_KEYS | {key for key in parts if key}


def _numbers(figures: Mapping[str, Any]) -> dict[str, float]:
    from scribe_eval.metrics import is_number

    return {str(k): float(v) for k, v in figures.items() if is_number(v)}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


#: The columns `RunStore.cell_summaries` reads: every summary field, and the scores only of rows
#: written before the figures column existed (their figures are computed once, then stored).
SUMMARY_COLUMNS = ", ".join(
    [*CellFields.model_fields, "figures", "CASE WHEN figures IS NULL THEN scores END AS scores"]
)


def summary_from_row(data: dict[str, Any]) -> tuple[CellSummary, str | None]:
    """A summary from a row of ``SUMMARY_COLUMNS`` (JSON as text), and the figures' JSON to
    store when the row had none (a cell written before the figures column)."""
    stored, scores = data.pop("figures", None), data.pop("scores", None)
    data["timings"] = json.loads(data["timings"])
    data["from_cache"] = bool(data["from_cache"])
    for name in _REPEATED:
        if isinstance(data.get(name), str):
            data[name] = sys.intern(data[name])
    if stored is not None:
        figures, backfill = CellFigures.model_validate_json(stored), None
    else:
        text = scores or "{}"
        figures = CellFigures.of(json.loads(text), text=text)
        backfill = figures.model_dump_json()
    summary = CellSummary.model_validate({**data, "figures": _shared(figures)})
    return _shared(summary), backfill


#: Fields whose few values repeat over a run's cells: one string object each (``sys.intern``).
_REPEATED = (
    "run_id", "kind", "template_label", "spec_hash", "language", "recording_language", "source",
    "status",
)  # fmt: skip

_Model = TypeVar("_Model", bound=BaseModel)
_ALL_SET: dict[type[BaseModel], set[str]] = {}


def _shared(model: _Model) -> _Model:
    """The model with every field set, sharing one ``model_fields_set`` object.

    pydantic keeps a set of the names given per instance (about 2 KB for a summary, more than
    its figures); the summaries of 12,500 cells all give every field. ``model_construct`` uses
    the ``_fields_set`` it is given as it is (public API), and the values are the validated
    model's own, so nothing is validated twice. Sharing is safe for these frozen models:
    pydantic copies the set before changing it (``model_copy``).
    """
    cls = type(model)
    everything = _ALL_SET.get(cls)
    if everything is None:
        everything = _ALL_SET.setdefault(cls, set(cls.model_fields))
    if model.model_fields_set != everything:
        return model
    return cls.model_construct(_fields_set=everything, **vars(model))


def figures_json(scores_text: str, scores: Mapping[str, Any]) -> str:
    """The ``figures`` column of a cell whose scores are stored as ``scores_text``."""
    return CellFigures.of(scores, text=scores_text).model_dump_json()


def summaries_from_rows(
    rows: Iterable[Mapping[str, Any]], run_id: str
) -> tuple[list[CellSummary], list[tuple[str, str, str]]]:
    """The summaries of a run's rows of ``SUMMARY_COLUMNS``, and ``(figures, run_id, cell_id)``
    for the rows whose figures must be stored (cells written before the figures column)."""
    out, backfill = [], []
    for row in rows:
        summary, figures = summary_from_row(dict(row))
        out.append(summary)
        if figures is not None:
            backfill.append((figures, run_id, summary.cell_id))
    return out, backfill
