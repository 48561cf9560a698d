"""Encounter pages: the word alignment, medical terms, section-by-section note differences."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scribe_eval.api import Transcript
from scribe_eval.dataset import Dataset
from scribe_eval.report import build_report
from scribe_eval.report._align import align
from scribe_eval.report._notediff import word_diff
from scribe_eval.store import RunStore


def _transcript(*texts: str) -> Transcript:
    segments = [{"channel": i % 2, "text": t} for i, t in enumerate(texts)]
    return Transcript.model_validate({"id": "t", "transcripts": segments})


def test_alignment_labels_each_error_kind_in_its_speaker_turn(mini_dataset: Dataset) -> None:
    encounter = mini_dataset.encounter("en-01-cough")
    heard = _transcript(
        "What brings you in today?",
        "I've had a dry cuff for days, but no fever.",
        "Your chest is clear. Take honey and rest, and come back in one week please.",
    )
    alignment = align(encounter, heard, "english-clinical@1")
    assert alignment is not None
    assert [t.speaker.lower() for t in alignment.turns] == ["doctor", "patient", "doctor"]
    patient = str(alignment.turns[1].html)
    assert 'class="op sub"' in patient
    assert "<s>cough</s> <b>cuff</b>" in patient
    assert 'class="op del"' in patient
    assert "<s>3</s>" in patient
    assert 'class="op ins"' in str(alignment.turns[2].html)
    assert "<b>please</b>" in str(alignment.turns[2].html)
    result = alignment.result
    assert (result.substitutions, result.deletions, result.insertions) == (1, 1, 1)


def test_medical_terms_are_marked_and_misses_listed(kit: Any, tmp_path: Path) -> None:
    dataset = kit.write_text_dataset(
        tmp_path / "d",
        [
            {
                "id": "t1",
                "turns": [("Doctor", "Start metoprolol and keep taking aspirin.")],
                "notes": {"Plan": "Metoprolol."},
                "terms": [{"text": "metoprolol", "kind": "medication"}, {"text": "aspirin"}],
            }
        ],
    )
    heard = _transcript("Start metro ball and keep taking aspirin.")
    alignment = align(dataset.encounters[0], heard, "english-clinical@1")
    assert alignment is not None
    assert alignment.terms_missed == ("metoprolol",)
    assert alignment.terms_found == ("aspirin",)
    html = str(alignment.turns[0].html)
    assert '<mark class="term" title="medical term “aspirin”">aspirin</mark>' in html
    assert 'class="op sub term"' in html


@pytest.mark.parametrize(
    ("reference", "generated", "left", "right"),
    [
        pytest.param(
            "Cough for 3 days.",
            "Cough for 3 days.",
            "Cough for 3 days.",
            "Cough for 3 days.",
            id="same",
        ),
        pytest.param(
            "Cough for 3 days.",
            "cough FOR 3 days",
            "Cough for 3 days.",
            "cough FOR 3 days",
            id="case-punct",
        ),
        pytest.param(
            "Cough for 3 days.",
            "Cough for 4 days.",
            "Cough for <del",
            "Cough for <ins",
            id="changed",
        ),
        pytest.param("Rest. Review in 1 week.", "Rest.", "Rest. <del", "Rest.", id="dropped"),
        pytest.param(
            "a <b> & c", "a <b> & c", "a &lt;b&gt; &amp; c", "a &lt;b&gt; &amp; c", id="escaped"
        ),
    ],
)
def test_word_diff_marks_missing_and_added_words(
    reference: str, generated: str, left: str, right: str
) -> None:
    got_left, got_right = word_diff(reference, generated)
    assert str(got_left).startswith(left)
    assert str(got_right).startswith(right)
    if reference.lower().strip(".") == generated.lower().strip("."):
        assert "<del" not in got_left
        assert "<ins" not in got_right


def test_page_shows_audio_sections_scores_and_fact_misses(
    store: RunStore, mini_dataset: Dataset, kit: Any, run_spec: Any, tmp_path: Path
) -> None:
    run = kit.write_run(store, mini_dataset, run_spec("run-a"))
    build_report(store, run, tmp_path / "out")
    page = (tmp_path / "out" / "encounters" / "en-01-cough.html").read_text(encoding="utf-8")
    assert "Hz" in page
    assert "channel 0: doctor" in page
    assert "<s>cough</s> <b>cuff</b>" in page
    short = page.split("soap-short · en</h3>", 1)[1]
    assert "Missing sections:" in short
    assert ">Plan<" in short
    assert "Extra sections:" in short
    assert "corti-social" in short
    assert "Facts in the reference but not in the note:" in short
    assert "<del" in short
    assert "<ins" in short
    assert "missing from the note" in short
    text_only = (tmp_path / "out" / "encounters" / "en-03-headache-text-only.html").read_text(
        encoding="utf-8"
    )
    assert "No recording" in text_only
