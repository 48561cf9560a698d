"""Term-level recognition from the packaged, versioned term lists."""

from __future__ import annotations

import json

import pytest

from scribe_eval.errors import MetricError
from scribe_eval.metrics import load_term_list, parse_term_list, term_list_recall, wer


def test_recall_counts_occurrences_and_lists_the_misses() -> None:
    result = term_list_recall(
        "Take paracetamol and clarithromycin for the tonsillitis. More paracetamol later.",
        "Take paracheton all and clarithromycin for the tonsillitis. More paracetamol later.",
        "en",
    )
    assert result.per_term["paracetamol"] == (1, 2)
    assert result.per_term["clarithromycin"] == (1, 1)
    assert result.recall == pytest.approx(3 / 4)
    assert [(m.term, m.said, m.heard) for m in result.misses] == [
        ("paracetamol", "paracetamol", "paracheton all")
    ]
    assert result.term_list == "terms-en@1"


def test_an_inflection_or_synonym_heard_instead_still_recognises_the_term() -> None:
    result = term_list_recall(
        "She needs antibiotics for the runny nose", "She needs antibiotic for the coryza", "en"
    )
    assert result.per_term == {"antibiotic": (1, 1), "runny nose": (1, 1)}
    assert result.misses == ()


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        pytest.param("Keine Antibiotika nötig", "Keine Antibiotika nötig", (1, 1), id="plural"),
        pytest.param("Ein Antibiotikum", "Ein Antibiotikum", (1, 1), id="singular"),
        pytest.param("Ein Antibiotikum", "Ein Anti Biotikum", (0, 1), id="split-word"),
    ],
)
def test_german_forms(reference: str, hypothesis: str, expected: tuple[int, int]) -> None:
    result = term_list_recall(reference, hypothesis, "de", normalizer="multilingual")
    assert result.per_term["antibiotikum"] == expected


def test_no_listed_term_gives_none_and_as_dict_is_json() -> None:
    result = term_list_recall("hello there", "hello there", "en-GB")
    assert result.recall is None
    data = result.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["missed_terms"] == []


def test_reuses_an_alignment_made_with_the_same_normaliser() -> None:
    aligned = wer("cough and wheeze", "cough and sneeze")
    result = term_list_recall(aligned, None, "en")
    assert result.per_term == {"cough": (1, 1), "wheeze": (0, 1)}
    with pytest.raises(MetricError, match="alignment used"):
        term_list_recall(aligned, None, "en", normalizer="english-clinical")


def test_bad_lists_and_unknown_languages_are_one_line_errors() -> None:
    with pytest.raises(MetricError, match="no packaged term list"):
        load_term_list("xx")
    with pytest.raises(MetricError, match=r"terms\[0\] has no 'term'"):
        parse_term_list("terms: [{kind: symptom}]")
    own = parse_term_list("version: 3\nlanguage: en\nterms: [{term: gout, forms: [gouty]}]")
    assert own.label == "terms-en@3"
    assert term_list_recall("gouty toe", "gouty toe", own).per_term == {"gout": (1, 1)}
