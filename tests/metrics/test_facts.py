"""Fact checks: quantities, medications, negations and laterality, in English and German."""

from __future__ import annotations

import json

import pytest

from scribe_eval.metrics import check_facts, extract_facts

REFERENCE = (
    "Patient denies chest pain or shortness of breath. No fever. BP 120/80, HR 88 bpm. "
    "Started lisinopril 10 mg daily for three days. Left knee swelling."
)
GENERATED = (
    "No fever, but chest pain. BP 120/80. Lisinopril 10mg daily for 3 days. Right knee swelling."
)


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        pytest.param(
            "BP 120/80, HR 88 bpm, temp 37.50 °C, 2 puffs",
            "quantity",
            ("120/80", "2 puff", "37.5 °c", "88 /min"),
            id="vitals-and-doses",
        ),
        pytest.param("cough for three days", "quantity", ("3 day",), id="spelled-number"),
        pytest.param(
            "ten milligrams, 89 kilograms, 145 over 90, 5 percent",
            "quantity",
            ("10 mg", "145/90", "5 %", "89 kg"),
            id="spoken-units-and-ratio",
        ),
        pytest.param("Fieber 38,9 °C seit 3 Tagen", "quantity", ("3 day", "38.9 °c"), id="german"),
        pytest.param("type 2 diabetes", "quantity", (), id="bare-number-is-not-a-fact"),
        pytest.param(
            "denies fever, chills or night sweats",
            "negation",
            ("no chills", "no fever", "no night sweats"),
            id="negated-list",
        ),
        pytest.param("no fever but cough", "negation", ("no fever",), id="scope-ends-at-but"),
        pytest.param(
            "Kein Fieber, keine Atemnot.", "negation", ("no atemnot", "no fieber"), id="kein"
        ),
        pytest.param(
            "pain in the knee (right); left-sided weakness",
            "laterality",
            ("left weakness", "right knee"),
            id="postposed-and-sided",
        ),
        pytest.param(
            "Knie links geschwollen, linkes Auge", "laterality", ("left auge", "left knie"), id="de"
        ),
    ],
)
def test_extraction(text: str, kind: str, expected: tuple[str, ...]) -> None:
    assert extract_facts(text)[kind] == expected  # type: ignore[index]


def test_check_facts_recall_precision_and_misses() -> None:
    result = check_facts(REFERENCE, GENERATED, medications=["lisinopril", "metoprolol"])
    quantity = result.kinds["quantity"]
    assert quantity.misses == ("88 /min",)
    assert quantity.recall == pytest.approx(3 / 4)
    assert quantity.precision == 1.0
    assert result.kinds["medication"].recall == 1.0
    assert result.kinds["negation"].misses == ("no chest pain", "no shortness of breath")
    laterality = result.kinds["laterality"]
    assert (laterality.misses, laterality.unsupported) == (("left knee",), ("right knee",))
    # Medications now count dose and frequency too: lisinopril, "... 10 mg", "... once daily".
    assert result.kinds["medication"].matched == (
        "lisinopril",
        "lisinopril 10 mg",
        "lisinopril once daily",
    )
    assert result.recall == pytest.approx(7 / 11)
    assert result.precision == pytest.approx(7 / 8)
    assert ("laterality", "left knee") in result.misses


def test_no_facts_gives_none_not_perfect() -> None:
    result = check_facts("Hello.", "Hello.")
    assert result.recall is None
    assert result.precision is None


def test_as_dict_is_plain_json() -> None:
    data = check_facts(REFERENCE, GENERATED).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["kinds"]["quantity"]["misses"] == ["88 /min"]
