"""A dataset's size at a glance: encounters, minutes, words and note types, per language."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from scribe_eval.dataset._model import Dataset, Encounter


class SummaryRow(BaseModel):
    """Counts over a group of encounters (one language, or ``all``)."""

    model_config = ConfigDict(frozen=True)

    language: str
    encounters: int
    with_audio: int
    minutes: float
    words: int
    note_types: dict[str, int]


class DatasetSummary(BaseModel):
    """What ``scribe-eval dataset show`` prints: one row per language, the total, specialties."""

    model_config = ConfigDict(frozen=True)

    name: str
    rows: list[SummaryRow]
    total: SummaryRow
    specialties: dict[str, int]


def _row(language: str, encounters: list[Encounter]) -> SummaryRow:
    notes: Counter[str] = Counter(kind for e in encounters for kind in e.notes)
    return SummaryRow(
        language=language,
        encounters=len(encounters),
        with_audio=sum(1 for e in encounters if e.audio is not None),
        minutes=sum(e.audio.duration_s for e in encounters if e.audio is not None) / 60,
        words=sum(len(e.reference_text.split()) for e in encounters),
        note_types=dict(sorted(notes.items())),
    )


def summarize(dataset: Dataset) -> DatasetSummary:
    """Count a dataset's encounters, audio minutes, reference words and note types per language."""
    encounters = list(dataset.encounters)
    languages = sorted({e.language for e in encounters})
    specialties = Counter(e.metadata.specialty or "-" for e in encounters)
    return DatasetSummary(
        name=dataset.name,
        rows=[_row(lang, [e for e in encounters if e.language == lang]) for lang in languages],
        total=_row("all", encounters),
        specialties=dict(sorted(specialties.items())),
    )
