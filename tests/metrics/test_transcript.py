"""Speaker-attributed WER, medical term recall and keyterm recall."""

from __future__ import annotations

import json

import pytest

from scribe_eval.errors import MetricError
from scribe_eval.metrics import Normalizer, keyterm_recall, speaker_wer, term_recall, wer

REF_TURNS = [
    ("doctor", "what brings you in today"),
    ("patient", "a cough for three days"),
    ("doctor", "any fever"),
]


def test_perfect_attribution_matches_overall() -> None:
    result = speaker_wer(REF_TURNS, REF_TURNS)
    assert result.attributed_wer == 0.0
    assert set(result.per_speaker) == {"doctor", "patient"}


def test_misattributed_words_cost_only_in_attributed_wer() -> None:
    hyp = [
        ("doctor", "what brings you in today"),
        ("doctor", "a cough for three days"),  # given to the wrong speaker
        ("doctor", "any fever"),
    ]
    result = speaker_wer(REF_TURNS, hyp)
    assert result.overall.wer == 0.0
    assert result.per_speaker["patient"].deletions == 5
    assert result.per_speaker["doctor"].insertions == 5
    assert result.attributed_wer == pytest.approx(10 / 12)
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["per_speaker"]["patient"]["wer"] == 1.0


def test_speaker_only_in_hypothesis_has_empty_reference() -> None:
    result = speaker_wer([("doctor", "hello")], [("doctor", "hello"), ("multiple", "noise")])
    assert result.per_speaker["multiple"].empty_reference
    assert result.attributed_wer == 1.0


def test_turns_must_be_pairs() -> None:
    with pytest.raises(MetricError, match="speaker, text"):
        speaker_wer([("doctor",)], [])  # type: ignore[list-item]


def test_term_recall_counts_multi_word_terms_by_alignment() -> None:
    reference = "start lisinopril for high blood pressure and check blood pressure weekly"
    hypothesis = "start listen april for high blood pressure and check blood pleasure weekly"
    result = term_recall(reference, hypothesis, ["lisinopril", "blood pressure", "metformin"])
    assert result.per_term == {"lisinopril": (0, 1), "blood pressure": (1, 2)}
    assert result.recall == pytest.approx(1 / 3)
    assert ("blood pressure", "blood pleasure") in result.misses
    assert result.misses[0] == ("lisinopril", "listen april")


def test_term_recall_is_none_without_terms_in_reference() -> None:
    assert term_recall("a cough", "a cough", ["metformin"]).recall is None


def test_term_recall_reuses_an_existing_alignment() -> None:
    result = wer("Metoprolol twice daily", "metro prolol twice daily", normalizer="basic")
    recall = term_recall(result, None, ["Metoprolol"])
    assert (recall.recognised, recall.occurrences) == (0, 1)


def test_keyterm_recall_reports_its_kind() -> None:
    result = keyterm_recall("give amoxicillin", "give amoxicillin", ["amoxicillin"])
    assert result.recall == 1.0
    assert result.as_dict()["kind"] == "keyterms"


def test_term_recall_with_a_custom_normalizer_needs_it_passed() -> None:
    upper = Normalizer("upper", "1", "upper-case split", lambda t: tuple(t.upper().split()))
    result = wer("give Amoxicillin", "give amoxicillin", normalizer=upper)
    assert term_recall(result, None, ["amoxicillin"], normalizer=upper).recall == 1.0
    with pytest.raises(MetricError, match="unknown normalizer 'upper'"):
        term_recall(result, None, ["amoxicillin"])
