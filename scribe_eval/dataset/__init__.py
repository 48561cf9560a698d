"""Datasets of labelled visits: the ``dataset.yaml`` format, loading, validation, summaries.

A dataset is a folder with a ``dataset.yaml`` manifest listing encounters: audio (optional), a
reference transcript and reference notes with their mapping to the vendor's section keys.
``load_dataset`` gives the runner a frozen, hashed ``Dataset``; ``validate_dataset`` lists every
problem at once; ``encounter_audio_bytes`` gives the bytes to upload for one encounter.
"""

from __future__ import annotations

from scribe_eval.dataset._audio import encounter_audio_bytes
from scribe_eval.dataset._loader import load_dataset, validate_dataset
from scribe_eval.dataset._manifest import EncounterEntry, ManifestHeader
from scribe_eval.dataset._model import (
    AudioInfo,
    Dataset,
    Encounter,
    EncounterMetadata,
    Finding,
    ReferenceNote,
    Role,
    Severity,
    Term,
    TermKind,
    Turn,
)
from scribe_eval.dataset._notes import format_markdown_sections, parse_markdown_sections
from scribe_eval.dataset._summary import DatasetSummary, SummaryRow, summarize
from scribe_eval.dataset._transcript import format_plain_transcript, parse_plain_transcript

__all__ = [
    "AudioInfo",
    "Dataset",
    "DatasetSummary",
    "Encounter",
    "EncounterEntry",
    "EncounterMetadata",
    "Finding",
    "ManifestHeader",
    "ReferenceNote",
    "Role",
    "Severity",
    "SummaryRow",
    "Term",
    "TermKind",
    "Turn",
    "encounter_audio_bytes",
    "format_markdown_sections",
    "format_plain_transcript",
    "load_dataset",
    "parse_markdown_sections",
    "parse_plain_transcript",
    "summarize",
    "validate_dataset",
]
