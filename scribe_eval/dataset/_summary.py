"""A dataset's size at a glance: encounters, minutes, words, languages and note types."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from scribe_eval.dataset._model import Dataset


class DatasetSummary(BaseModel):
    """Counts for ``scribe-eval dataset show``; one row per language plus the total."""

    model_config = ConfigDict(frozen=True)

    name: str
    encounters: int
    with_audio: int
    minutes: float
    words: int
    languages: dict[str, int]
    note_types: dict[str, int]
    specialties: dict[str, int]


def summarize(dataset: Dataset) -> DatasetSummary:
    """Count a dataset's encounters, audio minutes, reference words, languages and note types."""
    encounters = dataset.encounters
    notes: Counter[str] = Counter(kind for e in encounters for kind in e.notes)
    return DatasetSummary(
        name=dataset.name,
        encounters=len(encounters),
        with_audio=sum(1 for e in encounters if e.audio is not None),
        minutes=sum(e.audio.duration_s for e in encounters if e.audio is not None) / 60,
        words=sum(len(e.reference_text.split()) for e in encounters),
        languages=dict(sorted(Counter(e.language for e in encounters).items())),
        note_types=dict(sorted(notes.items())),
        specialties=dict(sorted(Counter(e.metadata.specialty or "-" for e in encounters).items())),
    )
