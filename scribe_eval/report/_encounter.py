"""The context of one encounter page: audio facts, transcript alignment and note comparisons."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from scribe_eval.api import Document
from scribe_eval.compare import RunData
from scribe_eval.dataset import Encounter, ReferenceNote
from scribe_eval.report._align import Alignment, align, recognised_segments
from scribe_eval.report._notediff import plain, word_diff
from scribe_eval.store import CellRecord

STATUS_TEXT = {
    "scored": "scored",
    "missing": "missing from the note",
    "empty_generated": "generated section is empty",
    "empty_reference": "reference section is empty (not scored)",
    "both_empty": "both empty (not scored)",
    "extra": "extra section (not in the reference)",
}


@dataclass
class TranscriptView:
    """One transcript cell of the encounter."""

    cell: CellRecord
    alignment: Alignment | None
    segments: list[tuple[str, str, str]]
    speakers: dict[str, Any]


@dataclass
class SectionView:
    """One reference section and/or generated section, side by side."""

    heading: str
    key: str
    status: str
    status_text: str
    reference: Markup | None
    generated: Markup | None
    rouge1: float | None = None
    rougeL: float | None = None


@dataclass
class BaselineNote:
    """The compared run's note of the same cell (encounter, template, language, source).

    ``same``: how the two notes are the same (one stored answer, or the same text written
    again), when they are. ``absent``: why there is nothing to show (no such cell, a failed
    one, an answer no longer stored). Else the two notes side by side, ``before`` with the words
    this run's note lost struck, ``after`` with its new words marked. ``scores``: the baseline
    cell's, when it has a note.
    """

    run_id: str
    same: str | None = None
    absent: str | None = None
    before: Markup | None = None
    after: Markup | None = None
    scores: dict[str, Any] = field(default_factory=dict)


@dataclass
class DocumentView:
    """One document cell of the encounter: scores, sections side by side and what it missed,
    and the compared run's note of the same cell when the report compares two runs."""

    cell: CellRecord
    sections: list[SectionView] = field(default_factory=list)
    unscored: str | None = None
    baseline: BaselineNote | None = None


@dataclass
class EncounterPage:
    """Everything one encounter page shows."""

    id: str
    encounter: Encounter | None
    transcripts: list[TranscriptView]
    documents: list[DocumentView]


def encounter_page(
    data: RunData, encounter_id: str, baseline: RunData | None = None
) -> EncounterPage:
    """Build the page of one encounter from its cells, stored answers and dataset entry, with
    the ``baseline`` run's note of each document cell when the report compares two runs.

    Only this page needs the cells' full scores (section pairs, missed facts): they are read for
    this encounter alone and dropped with the page.
    """
    encounter = data.encounter(encounter_id)
    full = data.full_cells(encounter_id)
    transcripts = [_transcript(data, encounter, c) for c in full if c.kind == "transcript"]
    order = {label: i for i, label in enumerate(data.templates)}
    cells = sorted(
        (c for c in full if c.kind == "document"),
        key=lambda c: (
            order.get(c.template_label, len(order)),
            c.template_label,
            c.language,
            c.source,
        ),
    )
    documents = [_document(data, encounter, c) for c in cells]
    if baseline is not None:
        before = {c.cell_id: c for c in baseline.full_cells(encounter_id) if c.kind == "document"}
        for view in documents:
            view.baseline = _baseline_note(baseline, before.get(view.cell.cell_id), data, view)
    return EncounterPage(encounter_id, encounter, transcripts, documents)


def _baseline_note(
    baseline: RunData, before: CellRecord | None, data: RunData, view: DocumentView
) -> BaselineNote:
    note = BaselineNote(baseline.run.id)
    if before is None:
        note.absent = "the baseline has no note of this template, language and source"
        return note
    if before.status != "ok":
        note.absent = f"the baseline's note failed at {before.stage}: {before.error_type}"
        return note
    note.scores = dict(before.scores)
    if before.cache_key is not None and before.cache_key == view.cell.cache_key:
        note.same = "the same note: both runs hold the same stored answer"
        return note
    old, new = baseline.document(before), data.document(view.cell)
    if old is None or new is None:
        note.absent = "one of the two notes is no longer in the run store"
        return note
    text_before, text_after = _note_text(old), _note_text(new)
    if text_before == text_after:
        note.same = "the same note: written again, word for word"
        return note
    note.before, note.after = word_diff(text_before, text_after)
    return note


def _note_text(document: Document) -> str:
    """A whole note as its sections in order, one heading and text per line."""
    return "\n".join(
        f"{section.name or section.key}: {section.text}" for section in document.ordered_sections()
    )


def _transcript(data: RunData, encounter: Encounter | None, cell: CellRecord) -> TranscriptView:
    transcript = data.transcript(cell) if cell.source == "asr" else None
    alignment = None
    if transcript is not None and encounter is not None:
        alignment = align(encounter, transcript, str(cell.scores.get("normalizer", "basic")))
    segments = recognised_segments(transcript) if transcript is not None else []
    return TranscriptView(cell, alignment, segments, dict(cell.scores.get("speakers") or {}))


def _document(data: RunData, encounter: Encounter | None, cell: CellRecord) -> DocumentView:
    view = DocumentView(cell, unscored=cell.scores.get("unscored"))
    document = data.document(cell)
    if document is None:
        return view
    reference = _reference(data, encounter, cell)
    pairs = cell.scores.get("sections") or []
    if not pairs:
        view.sections = [
            SectionView(s.name or s.key, s.key, "", "", None, plain(s.text))
            for s in document.ordered_sections()
        ]
        return view
    view.sections = [_section(pair, reference, document) for pair in pairs]
    return view


def _reference(
    data: RunData, encounter: Encounter | None, cell: CellRecord
) -> ReferenceNote | None:
    if encounter is None:
        return None
    note_type = data.reference_of(cell)
    return encounter.notes.get(note_type) if note_type else None


def _section(
    pair: dict[str, Any], reference: ReferenceNote | None, document: Document
) -> SectionView:
    heading = pair.get("reference_heading")
    key = pair.get("section_key")
    generated = next((s for s in document.sections if key and s.key == key), None)
    ref_text = reference.sections.get(heading) if reference and heading is not None else None
    gen_text = generated.text if generated is not None else None
    status = str(pair.get("status", ""))
    left: Markup | None
    right: Markup | None
    if ref_text is not None and gen_text is not None:
        left, right = word_diff(ref_text, gen_text)
    else:
        left = plain(ref_text) if ref_text is not None else None
        right = plain(gen_text) if gen_text is not None else None
    rouge = pair.get("rouge") or {}
    name = heading or (generated.name if generated and generated.name else key) or "?"
    return SectionView(
        heading=name,
        key=key or "",
        status=status,
        status_text=STATUS_TEXT.get(status, status),
        reference=left,
        generated=right,
        rouge1=rouge.get("rouge1_f"),
        rougeL=rouge.get("rougeL_f"),
    )
