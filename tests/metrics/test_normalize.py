"""Golden outputs of every named normaliser: each case pins the exact words."""

from __future__ import annotations

import pytest

from scribe_eval.errors import MetricError
from scribe_eval.metrics import NORMALIZERS, Normalizer, get_normalizer


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        pytest.param("none", "The  cat,\tsat.", "The cat, sat.", id="none-whitespace-only"),
        pytest.param(
            "basic", "The Patient's (left) KNEE.", "the patient's left knee", id="basic-edges"
        ),
        pytest.param(
            "basic", "BP 120/80, temp 37.5.", "bp 120/80 temp 37.5", id="basic-keeps-120/80"
        ),
        pytest.param("basic", "Straße erhöht!", "strasse erhöht", id="basic-casefold-diacritics"),
        pytest.param("basic", "e\u0301tat", "\u00e9tat", id="basic-nfc"),
        pytest.param("basic", "follow-up...", "follow-up", id="basic-inner-hyphen"),
        pytest.param(
            "english-clinical",
            "The patient's (left) knee.",
            "the patient's left knee",
            id="clinical-possessive-and-parentheses",
        ),
        pytest.param(
            "english-clinical",
            "Take 1/2 tablet b.i.d., 5 milligrams.",
            "take 1/2 tablet b.i.d. 5 mg",
            id="clinical-fraction-dose-abbreviation",
        ),
        pytest.param(
            "english-clinical",
            "BP one hundred twenty over eighty, sats ninety five percent",
            "bp 120 over 80 sats 95%",
            id="clinical-spelled-numbers",
        ),
        pytest.param(
            "english-clinical",
            "Um, she's got anaemia and doesn't follow-up. It's 1,000 mg.",
            "she is got anemia and does not follow up it is 1000 mg",
            id="clinical-fillers-contractions-spelling",
        ),
        pytest.param(
            "english-clinical",
            "I'd say twenty-five days, pain 3.5 out of ten",
            "i would say 25 days pain 3.5 out of 10",
            id="clinical-hyphenated-number",
        ),
        pytest.param(
            "english-clinical",
            "Mr. Green saw Dr Patel; mrs Green, mister Green",
            "mister green saw doctor patel missus green mister green",
            id="clinical-titles",
        ),
        pytest.param(
            "english-clinical",
            "ER visit, uh, colour grey (right) oedema",
            "er visit color gray right edema",
            id="clinical-er-is-not-a-filler",
        ),
        pytest.param(
            "english-clinical",
            "one hundred and five, two thousand three hundred, five six",
            "105 2300 5 6",
            id="clinical-number-grammar",
        ),
        pytest.param(
            "english-clinical",
            "The dog's bowl; who's there",
            "the dog's bowl who is there",
            id="clinical-s",
        ),
        pytest.param(
            "multilingual",
            "Blutdruck erhöht, 120/80!",
            "blutdruck erhöht 120/80",
            id="multi-german",
        ),
        pytest.param("multilingual", "हिन्दी में बात।", "हिन्दी में बात", id="multi-devanagari"),
        pytest.param(
            "multilingual",
            "L'hôpital — aujourd'hui: 3,5 °C",
            "l'hôpital aujourd'hui 3,5 c",
            id="multi-french",
        ),
        pytest.param("multilingual", "follow-up", "follow up", id="multi-hyphen-splits"),
    ],
)
def test_golden_outputs(name: str, text: str, expected: str) -> None:
    assert NORMALIZERS[name].text(text) == expected


@pytest.mark.parametrize("name", ["basic", "english-clinical", "multilingual"])
def test_diacritic_difference_survives(name: str) -> None:
    norm = NORMALIZERS[name]
    assert norm.words("erhöht") != norm.words("erhäht")


@pytest.mark.parametrize("name", ["basic", "english-clinical", "multilingual"])
def test_devanagari_words_stay_whole(name: str) -> None:
    assert NORMALIZERS[name].words("हिन्दी किताब") == ("हिन्दी", "किताब")


def test_labels_carry_versions() -> None:
    assert [n.label for n in NORMALIZERS.values()] == [
        "none@1",
        "basic@1",
        "english-clinical@2",
        "multilingual@1",
    ]


def test_unknown_normalizer_names_the_choices() -> None:
    with pytest.raises(MetricError, match=r"unknown normalizer 'fancy'.*basic"):
        get_normalizer("fancy")


def test_custom_normalizer_object_is_accepted() -> None:
    custom = Normalizer("upper", "1", "upper-case split", lambda t: tuple(t.upper().split()))
    assert get_normalizer(custom).words("a b") == ("A", "B")
