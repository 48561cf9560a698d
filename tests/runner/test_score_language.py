"""The runner's document scorer reads a note's numbers by the document's language."""

from __future__ import annotations

from pathlib import Path

from scribe_eval.api import Document
from scribe_eval.dataset import load_dataset
from scribe_eval.experiment import MetricOptions
from scribe_eval.runner import score_document

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample"


def test_a_german_note_writing_1000_as_1_000_loses_no_fact() -> None:
    encounter = load_dataset(SAMPLE).encounter("de-02-husten")
    note = encounter.notes["soap"]
    assert "Amoxicillin 1000 mg" in note.sections["Plan"]
    sections = [
        {"key": note.section_keys[h], "name": h, "text": body.replace("1000 mg", "1.000 mg"),
         "sort": i}
        for i, (h, body) in enumerate(note.sections.items())
    ]  # fmt: skip
    document = Document.model_validate(
        {"id": "d", "name": "soap", "outputLanguage": "de", "sections": sections}
    )
    scores = score_document(
        encounter, document, note_type="soap", output_language="de", options=MetricOptions()
    )
    # Read as English, "1.000 mg" would be 1 mg: a missed dose and an invented one.
    assert scores["fact_misses"] == []
    assert scores["fact_invented"] == []
    assert scores["fact_recall"] == 1.0


def test_a_section_written_empty_is_a_missing_section_as_one_left_out() -> None:
    # The encounter page lists both as missing and section coverage counts neither as covered;
    # the count (and a gate's `limit: missing_sections`) saw only the one left out.
    encounter = load_dataset(SAMPLE).encounter("en-01-sore-throat")
    note = encounter.notes["soap"]
    headings = list(note.sections)
    sections = [
        {"key": note.section_keys[h], "name": h, "sort": i,
         "text": "No information recorded." if h == headings[1] else note.sections[h]}
        for i, h in enumerate(headings[:-1])  # the last one left out
    ]  # fmt: skip
    document = Document.model_validate(
        {"id": "d", "name": "soap", "outputLanguage": "en", "sections": sections}
    )
    scores = score_document(
        encounter, document, note_type="soap", output_language="en", options=MetricOptions()
    )
    assert scores["missing_sections"] == 2
    assert scores["section_coverage"] == (len(headings) - 2) / len(headings)
