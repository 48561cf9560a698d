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
