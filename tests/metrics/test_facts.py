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
    # "No fever, but chest pain." asserts the chest pain the reference denies: a contradiction.
    assert result.kinds["negation"].unsupported == ("chest pain (affirmed)",)
    assert result.precision == pytest.approx(7 / 9)
    assert ("laterality", "left knee") in result.misses


def test_no_facts_gives_none_not_perfect() -> None:
    result = check_facts("Hello.", "Hello.")
    assert result.recall is None
    assert result.precision is None


def test_as_dict_is_plain_json() -> None:
    data = check_facts(REFERENCE, GENERATED).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["kinds"]["quantity"]["misses"] == ["88 /min"]


@pytest.mark.parametrize(
    ("reference", "generated", "language", "missed", "invented"),
    [
        pytest.param("Heparin 10,000 units.", "Heparin 10 units.", "en", ("10000 unit",),
                     ("10 unit",), id="en-thousands-are-not-decimals"),
        pytest.param("Paracetamol 1,000 mg.", "Paracetamol 1 mg.", "en", ("1000 mg",),
                     ("1 mg",), id="en-a-1000-fold-dose-error"),
        pytest.param("Paracetamol 1,000 mg.", "Paracetamol 1000 mg.", "en", (), (),
                     id="en-grouped-and-plain-agree"),
        pytest.param("Heparin 5000 units.", "Heparin 5 000 units.", "en", (), (),
                     id="space-grouped"),
        pytest.param("Heparin 5000 Einheiten.", "Heparin 5.000 Einheiten.", "de", (), (),
                     id="de-point-groups"),
        pytest.param("Heparin 10.000 IE.", "Heparin 10 IE.", "de", ("10000 unit",),
                     ("10 unit",), id="de-thousands-are-not-decimals"),
        pytest.param("Temperatur 38,1 °C.", "Temperatur 38.1 °C.", "de", (), (),
                     id="de-either-decimal-mark"),
    ],
)  # fmt: skip
def test_numbers_are_read_by_the_notes_language(
    reference: str,
    generated: str,
    language: str,
    missed: tuple[str, ...],
    invented: tuple[str, ...],
) -> None:
    quantity = check_facts(reference, generated, language=language).kinds["quantity"]
    assert (quantity.misses, quantity.unsupported) == (missed, invented)


def test_the_language_decides_an_ambiguous_number() -> None:
    assert extract_facts("Heparin 5.000 units", language="en")["quantity"] == ("5 unit",)
    assert extract_facts("Heparin 5.000 Einheiten", language="de")["quantity"] == ("5000 unit",)
    assert extract_facts("Amoxicillin 1,000 mg", language="en")["quantity"] == ("1000 mg",)
    assert extract_facts("Amoxicillin 1,000 mg", language="de")["quantity"] == ("1 mg",)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("Temperature has been up and down for 3 days, today 38.1",
                     ("3 day", "38.1 °c"), id="a-duration-does-not-end-the-cue"),
        pytest.param("Temperature 38.1C", ("38.1 °c",), id="glued-celsius"),
        pytest.param("Temp 38.1C", ("38.1 °c",), id="temp-glued-celsius"),
        pytest.param("Temperature 101.3F", ("101.3 °f",), id="glued-fahrenheit"),
        pytest.param("Temperature of 101.3 degrees", ("101.3 °f",), id="degrees-by-range"),
        pytest.param("T 38.1 HR 96", ("38.1 °c", "96 /min"), id="t-in-a-vitals-run"),
        pytest.param("BP 120/80, T 37.9, RR 16", ("120/80", "37.9 °c"), id="t-after-bp"),
        pytest.param("T 38.1", (), id="a-lone-t-is-no-temperature"),
        pytest.param("T 38.1\nHR 96", ("96 /min",), id="vitals-run-stays-on-its-line"),
        pytest.param("82F presents with cough", (), id="age-and-sex-is-no-temperature"),
        pytest.param("Stage 3C", (), id="a-letter-is-a-scale-only-for-a-body-temperature"),
        pytest.param("Pulse 96/min, age 45", ("96 /min",), id="a-measurement-ends-the-cue"),
        pytest.param("Temperature 38.5 °C last night, 37.8 today", ("37.8 °c", "38.5 °c"),
                     id="a-second-temperature"),
    ],
)  # fmt: skip
def test_bare_and_abbreviated_values(text: str, expected: tuple[str, ...]) -> None:
    assert extract_facts(text)["quantity"] == expected


@pytest.mark.parametrize(
    "generated",
    ["Temperature has been up and down for 3 days, today 38.1", "Temperature 38.1C",
     "Temp 38.1C", "T 38.1 HR 96"],
)  # fmt: skip
def test_a_temperature_written_without_its_unit_is_found(generated: str) -> None:
    assert check_facts("Temperature 38.1 °C", generated).kinds["quantity"].recall == 1.0


@pytest.mark.parametrize(
    ("reference", "generated", "found"),
    [
        pytest.param("Fever to 38.5 °C last night.", "Last night it was 38.5, it came down.",
                     True, id="the-reference-gives-the-unit"),
        pytest.param("Temperature 101.3 F this morning.", "This morning it was 101.3.", True,
                     id="fahrenheit"),
        pytest.param("Fever to 38.50 °C.", "It was 38.5 at night.", True, id="canonical-number"),
        pytest.param("Fever 38 °C.", "She is 38 and works nights.", False,
                     id="an-integer-may-be-anything"),
        pytest.param("Weight 38.5 kg.", "It was 38.5 on the scales.", False,
                     id="only-temperatures"),
        pytest.param("Fever to 38.5 °C.", "Dose 38.5 mg.", False, id="another-unit-written"),
        pytest.param("Fever to 38.5 °C.", "Pulse 38.5.", False, id="another-unit-implied"),
        pytest.param("Fever to 38.5 °C.", "Blood pressure 138.5/90.", False, id="no-ratio"),
    ],
)  # fmt: skip
def test_a_bare_decimal_is_the_other_note_s_temperature(
    reference: str, generated: str, found: bool
) -> None:
    """The note kept the reading and dropped the word "fever": no cue gave it a unit, so the
    check missed a temperature the note states."""
    result = check_facts(reference, generated).kinds["quantity"]
    assert (result.recall == 1.0) is found, result
    # The same from the other side: the note's temperature is not invented against a reference
    # that writes it bare.
    assert (check_facts(generated, reference).kinds["quantity"].precision == 1.0) is found


@pytest.mark.parametrize(
    ("reference", "generated", "contradicted"),
    [
        pytest.param("No fever.", "Patient has fever.", [("no fever", "fever (affirmed)")],
                     id="asserts-what-the-reference-denies"),
        pytest.param("Denies chest pain.", "Chest pain.",
                     [("no chest pain", "chest pain (affirmed)")], id="denies"),
        pytest.param("Patient reports fever. No cough.", "Patient reports cough. No fever.",
                     [("no cough", "cough (affirmed)"), ("fever (affirmed)", "no fever")],
                     id="both-ways"),
        pytest.param("No runny nose.", "Coryza for two days.",
                     [("no coryza", "coryza (affirmed)")], id="by-the-lexicon"),
        pytest.param("No previous admissions.", "Previous admissions.",
                     [("no previous admissions", "previous admissions (affirmed)")],
                     id="a-cue-inside-the-finding"),
        pytest.param("Kein Fieber.", "Fieber seit gestern.",
                     [("no fieber", "fieber (affirmed)")], id="german"),
        pytest.param("No fever.", "No fever.", [], id="agreement"),
        pytest.param("No fever.", "Return if fever develops.", [], id="conditional"),
        pytest.param("No fever.", "Any fever?", [], id="question"),
        pytest.param("No chest pain.", "Discussed the risk of chest pain.", [],
                     id="hypothetical"),
        pytest.param("No asthma.", "Mother has asthma.", [], id="someone-else"),
        pytest.param("No fever.", "Had a fever a week ago.", [], id="historical"),
        pytest.param("No fever.", "No fever today, fever at night.", [],
                     id="a-note-that-also-negates-it"),
        pytest.param("No concerns.", "Concerns about sleep.", [], id="generic-finding"),
        pytest.param("No fever.", "Fever: no.", [], id="colon-no-is-a-negation"),
        # The demo's notes: advice contradicts no history, and "verneint" before its finding
        # negates it, as "denies" does.
        pytest.param("Twisted his left knee playing football.",
                     "No running or football for two weeks.", [], id="an-instruction"),
        pytest.param("No alcohol.", "Advised to avoid alcohol.", [], id="advice"),
        pytest.param("Keine Taubheit.", "Pat. verneint Taubheit im Bein.", [],
                     id="verneint-before-its-finding-agrees"),
        pytest.param("Fieber seit gestern.", "Pat. verneint Fieber.",
                     [("fieber (affirmed)", "no fieber")], id="verneint-before-its-finding"),
        pytest.param("Husten seit gestern.", "Fieber und Husten werden negiert.",
                     [("husten (affirmed)", "no husten")], id="negiert-after-its-findings"),
        pytest.param("Keine Bettruhe.", "Bewegung statt Bettruhe.", [], id="instead-of"),
        pytest.param("Keine Atemnot.", "Atemnot habe ich nicht.", [], id="a-negation-word-after"),
    ],
)  # fmt: skip
def test_contradicted_findings_count_against_precision(
    reference: str, generated: str, contradicted: list[tuple[str, str]]
) -> None:
    result = check_facts(reference, generated)
    assert [(c.reference, c.generated) for c in result.contradictions] == contradicted
    negation = result.kinds["negation"]
    for ref_fact, gen_fact in contradicted:
        assert ref_fact in negation.misses
        assert gen_fact in negation.unsupported
    if contradicted:
        assert result.precision is not None
        assert result.precision < 1.0
    data = result.as_dict()
    assert [(c["reference"], c["generated"]) for c in data["contradicted"]] == contradicted


def test_asserted_findings_are_facts_only_as_contradictions() -> None:
    """An affirmed finding the reference does not negate is no fact: precision is not flooded."""
    result = check_facts("Sore throat. No cough.", "Sore throat, fever and headache. No cough.")
    assert result.kinds["negation"].generated == ("no cough",)
    assert result.precision == 1.0
    assert extract_facts("Patient has fever.")["negation"] == ()


@pytest.mark.parametrize(
    "generated",
    ["No information recorded.", "Not discussed.", "Family history: not documented.",
     "Keine Angaben.", "Nicht besprochen."],
)  # fmt: skip
def test_a_placeholder_is_no_invented_finding(generated: str) -> None:
    """A template told to write "not discussed" rather than guess loses no precision for it."""
    result = check_facts("Sore throat for three days. No fever.", generated)
    assert result.kinds["negation"].unsupported == ()
    assert result.precision is None


def test_a_negated_infinitive_is_no_finding_and_a_plan_never_made_is_no_plan() -> None:
    """The demo's low-mood visit (a new user's finding): "easier not to wake up" gave the fact
    "no to wake up" on both sides, and the note's "never made any plans" gave "no made plans",
    an invented fact beside the reference's "no plans" it states."""
    result = check_facts(
        "Passive thoughts that it would be easier not to wake up; no plans or intent.",
        "She has thought it would be easier not to wake up, but has never made any plans.",
    )
    negation = result.kinds["negation"]
    assert negation.reference == ("no intent", "no plans")
    assert negation.generated == ("no plans",)
    assert negation.unsupported == ()
    assert extract_facts("Advised not to drive for two weeks.")["negation"] == ()


@pytest.mark.parametrize(
    "generated",
    ["Aucune information consignée.", "Non renseigné.", "Pas d'information.", "Rien à signaler.",
     "Sans objet."],
)  # fmt: skip
def test_a_french_placeholder_is_no_invented_finding(generated: str) -> None:
    """French negations are read (metrics version 11), so "Aucune information consignée." was
    an invented "no information consignée" beside the reference's findings (a new user's
    finding); it says only that nothing was recorded."""
    result = check_facts("Céphalée depuis deux jours. Pas de fièvre.", generated, language="fr")
    assert result.kinds["negation"].unsupported == ()
    assert result.precision is None


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        pytest.param("Paracetamol 15 mg/kg 6-hourly.", "Paracetamol 150 mg/kg 6-hourly.", id="kg"),
        pytest.param("Oxygen at 2 l/min by cannula.", "Oxygen at 20 l/min by cannula.", id="flow"),
        pytest.param("Heparin 18 units/kg/h.", "Heparin 1.8 units/kg/h.", id="infusion"),
        pytest.param("Methotrexate 15 mg/week.", "Methotrexate 25 mg/week.", id="per-week"),
    ],
)
def test_a_dose_per_kilogram_or_per_minute_is_a_fact(reference: str, generated: str) -> None:
    """A dose with a compound unit is a quantity: a tenfold error in it is missed and invented
    (it read as no fact at all, so "15 mg/kg" against "150 mg/kg" scored recall and precision
    1.0 with the drug listed, and no fact without)."""
    result = check_facts(reference, generated, medications=["paracetamol", "heparin"])
    assert result.kinds["quantity"].misses, result.kinds["quantity"]
    assert result.kinds["quantity"].unsupported, result.kinds["quantity"]
    assert result.recall is not None
    assert result.recall < 1.0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Paracetamol 15 mg/kg", ("15 mg/kg",)),
        ("2 l/min", ("2 l/min",)),
        ("18 units/kg/h", ("18 unit/kg/hour",)),
        ("0.1 mcg/kg/min", ("0.1 mcg/kg/min",)),
        ("60 mg/day", ("60 mg",)),  # as "60 mg daily": the frequency is no part of the dose
        ("Glucose 5.5 mmol/l, creatinine 80 umol/l", ("5.5 mmol/l", "80 umol/l")),
        ("1 g/day", ("1000 mg",)),
    ],
)
def test_compound_units(text: str, expected: tuple[str, ...]) -> None:
    assert extract_facts(text)["quantity"] == expected


def test_a_compound_dose_is_the_medication_dose() -> None:
    facts = extract_facts("Paracetamol 15 mg/kg four times daily.", medications=["paracetamol"])
    assert "paracetamol 15 mg/kg" in facts["medication"]


def test_a_leading_decimal_point_is_read_as_the_decimal_it_is() -> None:
    """ ".5 mg" (a naked decimal, which the "do not use" lists ban because it is misread as 5 mg)
    is 0.5 mg: against "5 mg" it is a tenfold error, missed *and* invented; against "0.5 mg"
    it is the same dose. It was no fact, so it was only missed, and never invented."""
    tenfold = check_facts("Haloperidol 5 mg at night.", "Haloperidol .5 mg at night.")
    assert tenfold.kinds["quantity"].misses == ("5 mg",)
    assert tenfold.kinds["quantity"].unsupported == ("0.5 mg",)
    same = check_facts("Haloperidol 0.5 mg at night.", "Haloperidol .5 mg at night.")
    assert same.recall == 1.0
    assert extract_facts("Dose (.25 mg) given.")["quantity"] == ("0.25 mg",)
    # A full stop right after a word is no decimal point.
    assert "0.5 mg" not in extract_facts("Review in 2 weeks.5 mg given.")["quantity"]


def test_a_range_after_a_measurement_cue_takes_the_cue_s_unit() -> None:
    """ "Fever 38 to 39.5" is "38-39.5 °c", as a single value after the cue is: it was no fact, so
    the note that wrote its unit ("Fever 38-39.5 °C") was charged with an invented fact."""
    assert extract_facts("Fever 38 to 39.5 at home.")["quantity"] == ("38-39.5 °c",)
    assert extract_facts("Pulse 88-96, regular.")["quantity"] == ("88-96 /min",)
    result = check_facts("Fever 38 to 39.5 at home.", "Fever 38-39.5 °C at home.")
    assert result.kinds["quantity"].precision == 1.0
    # Both ends must be plausible for the cue's unit: a count after it is not a reading.
    assert extract_facts("Fever for 2-3 days.")["quantity"] == ("2-3 day",)
    assert extract_facts("Temperature checks 3-4 times.")["quantity"] == ()


def test_a_range_in_grams_is_in_milligrams_as_a_single_dose_is() -> None:
    """ "1 g" is "1000 mg", so "1-2 g" is "1000-2000 mg": the same dose written either way."""
    assert extract_facts("Paracetamol 1-2 g as needed.")["quantity"] == ("1000-2000 mg",)
    result = check_facts("Paracetamol 1-2 g as needed.", "Paracetamol 1000-2000 mg as needed.")
    assert result.recall == 1.0


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("Temperature 38.5 °C.", "Temperature of 101.3 F."),
        ("Temperature 101.3 °F.", "Temperature 38.5 °C."),
        ("Fever to 38.1 °C.", "Fever to 100.6 °F."),  # 100.58 °F, written to one decimal
    ],
)
def test_one_temperature_written_on_the_other_scale_is_the_same_fact(
    reference: str, generated: str
) -> None:
    """38.5 °C is 101.3 °F: a note that writes the reading in Fahrenheit neither misses nor
    invents it (it did both, recall and precision 0)."""
    result = check_facts(reference, generated)
    assert result.recall == 1.0
    assert result.precision == 1.0


def test_a_different_temperature_on_the_other_scale_is_still_an_error() -> None:
    result = check_facts("Temperature 38.5 °C.", "Temperature of 102.3 F.")  # 39.06 °C
    assert result.kinds["quantity"].misses == ("38.5 °c",)
    assert result.kinds["quantity"].unsupported == ("102.3 °f",)


def test_saturations_in_the_plural_is_a_cue() -> None:
    """ "Saturations of 96" is "96 %", as "saturation 96" is: the note that kept it missed it."""
    assert extract_facts("Saturations of 96 on air.")["quantity"] == ("96 %",)
    assert check_facts("Sats 96%.", "Saturations of 96 on air.").recall == 1.0


def test_a_weight_in_pounds_is_pounds_not_kilograms() -> None:
    """ "lb" was no unit, so "Weight 154 lb" was a bare number the cue "weight" gave kilograms:
    it matched a reference's "154 kg" (a false match of twice the weight) and missed "70 kg"."""
    assert extract_facts("Weight 154 lb.")["quantity"] == ("154 lb",)
    assert extract_facts("Weighs 154 pounds, lost 3 lbs.")["quantity"] == ("154 lb", "3 lb")
    wrong = check_facts("Weight 154 kg.", "Weight 154 lb.")
    assert wrong.kinds["quantity"].misses == ("154 kg",)
    assert wrong.kinds["quantity"].unsupported == ("154 lb",)


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("Weight 70 kg.", "Weight 154 lb."),  # 154.3 lb
        ("Weight 154 lb.", "Weight 70 kg."),
        ("Weight 69.9 kg.", "Weight 154.1 lb."),
        ("Temperature 38 °C.", "Temperature 100 °F."),  # 100.4 °F, written to the degree
    ],
)
def test_one_reading_on_either_scale_is_one_fact_to_the_precision_written(
    reference: str, generated: str
) -> None:
    """A weight in kilograms and in pounds is one reading when they agree to the precision each
    is written with, as a temperature in °C and °F is."""
    result = check_facts(reference, generated)
    assert (result.recall, result.precision) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("Weight 70 kg.", "Weight 160 lb."),  # 72.6 kg
        ("Weight 69.9 kg.", "Weight 155.5 lb."),  # 70.5 kg: both written to the decimal
        ("Temperature 38.5 °C.", "Temperature 102 °F."),  # 38.9 °C
    ],
)
def test_a_different_reading_on_the_other_scale_is_still_an_error(
    reference: str, generated: str
) -> None:
    result = check_facts(reference, generated)
    assert (result.recall, result.precision) == (0.0, 0.0)


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Afebrile.", "en", ("no fever",)),
        ("Apyrexial, tonsils swollen.", "en", ("no fever",)),
        ("Nonsmoker.", "en", ("no smoking",)),
        ("Non-smoker, drinks socially.", "en", ("no smoking",)),
        ("Lifelong non smoker.", "en", ("no smoking",)),
        ("NKDA.", "en", ("no allergies",)),
        ("Allergies: NKA.", "en", ("no allergies",)),
        ("Patientin fieberfrei, Nichtraucherin.", "de", ("no fieber", "no rauchen")),
    ],
)
def test_a_word_that_carries_its_own_negation_is_that_negation(
    text: str, language: str, expected: tuple[str, ...]
) -> None:
    """ "Afebrile" is "no fever" and "NKDA" "no allergies": they were no negation at all, so the
    note that wrote the word missed the reference's "no fever" (and a spaced "non smoker" even
    asserted smoking). The word negates itself only: "swollen tonsils" after it stay affirmed."""
    assert extract_facts(text, language=language)["negation"] == expected


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("No fever.", "Afebrile."),
        ("Denies smoking.", "Non smoker."),
        ("Does not smoke.", "Nonsmoker."),
        ("No known drug allergies.", "NKDA."),
        ("Kein Fieber.", "Fieberfrei."),
    ],
)
def test_a_self_negating_word_finds_the_negation_it_states(reference: str, generated: str) -> None:
    language = "de" if reference.startswith("Kein") else "en"
    result = check_facts(reference, generated, language=language)
    assert (result.recall, result.precision, result.contradictions) == (1.0, 1.0, ())


@pytest.mark.parametrize(
    ("reference", "generated", "asserted"),
    [
        ("Afebrile.", "Patient has a fever.", "fever (affirmed)"),
        ("Non-smoker.", "Smokes 10 cigarettes a day.", "smoking (affirmed)"),
        ("Denies smoking.", "Current smoker.", "smoking (affirmed)"),
    ],
)
def test_a_self_negating_word_is_contradicted_by_the_finding(
    reference: str, generated: str, asserted: str
) -> None:
    result = check_facts(reference, generated)
    assert [c.generated for c in result.contradictions] == [asserted]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No fever, cough present.", ("no fever",)),
        ("No vomiting, nausea noted.", ("no vomiting",)),
        ("Denies fever, reports cough.", ("no fever",)),
        ("Denies chest pain and admits to dyspnoea.", ("no chest pain",)),
        ("Kein Fieber, Husten vorhanden.", ("no fieber",)),
        ("Kein Fieber, klagt über Husten.", ("no fieber",)),
        # A lone item: the presence word is no part of the finding.
        ("No cough present.", ("no cough",)),
    ],
)
def test_a_negation_scope_ends_where_a_finding_is_asserted(
    text: str, expected: tuple[str, ...]
) -> None:
    """ "No fever, cough present." negates fever only: the cough it asserts was read "no cough
    present", a negation the reference never has and a contradiction of a note that wrote
    "Cough present." on its own; "Denies fever, reports cough." was even "no cough"."""
    assert extract_facts(text, language="de" if "Fieber" in text else "en")["negation"] == expected


def test_an_asserted_finding_after_a_negation_is_no_contradiction() -> None:
    result = check_facts("No fever, cough present.", "No fever. Cough present.")
    assert (result.recall, result.precision, result.contradictions) == (1.0, 1.0, ())
    flipped = check_facts("No cough.", "Denies fever, reports cough.")
    assert [c.generated for c in flipped.contradictions] == ["cough (affirmed)"]
    # After "or" the presence word closes the negated list: every item stays negated.
    listed = extract_facts("No fever, chills or night sweats reported.")["negation"]
    assert listed == ("no chills", "no fever", "no night sweats")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Drinks 1500 ml a day.", ("1.5 l",)),
        ("0.5 L of saline.", ("500 ml",)),
        ("Fluid restriction 500-1500 ml.", ("0.5-1.5 l",)),
        ("Infusion 1000 ml/h, oxygen 2 l/min, syrup 5 ml.", ("1 l/hour", "2 l/min", "5 ml")),
    ],
)
def test_a_volume_is_in_litres_from_one_litre_and_in_millilitres_below(
    text: str, expected: tuple[str, ...]
) -> None:
    assert extract_facts(text)["quantity"] == expected


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("Drinks 1.5 L a day.", "Drinks 1500 ml a day."),
        ("1 litre of normal saline over 8 hours.", "1000 mL normal saline over 8 hours."),
        ("Sip 0.5 l of oral rehydration solution.", "Sip 500 ml of oral rehydration solution."),
    ],
)
def test_one_volume_in_litres_or_millilitres_is_one_fact(reference: str, generated: str) -> None:
    """ "1.5 L" and "1500 ml" are one volume, as "1 g" and "1000 mg" are one dose: they were
    missed and invented."""
    result = check_facts(reference, generated)
    assert (result.recall, result.precision) == (1.0, 1.0)


def test_a_multiplication_sign_glued_to_a_number_leaves_the_number() -> None:
    """ "Cough x3 days" is "3 day", as "cough x 3 days" and "cough ×3 days" were: the glued "x"
    hid the number, so the note that wrote the duration so missed it."""
    assert extract_facts("Cough x3 days, vomited x2.")["quantity"] == ("3 day",)
    assert check_facts("Cough for 3 days.", "Cough x3 days.").recall == 1.0
    # A word that ends in x is no sign: "Rx2" and "box3" keep their numbers unread.
    assert extract_facts("Rx2 days, box3 days.")["quantity"] == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Céphalées depuis 6 mois, durée 4 à 8 heures.", ("4-8 hour", "6 month")),
        ("Toux depuis deux jours, revoir dans une semaine.", ("1 week", "2 day")),
        ("Fièvre à 38,5 hier soir.", ("38.5 °c",)),
        ("Pouls 88, poids 70, 3 comprimés.", ("3 tablet", "70 kg", "88 /min")),
        ("Tension artérielle 122 sur 78.", ("122/78",)),
    ],
)
def test_french_quantities(text: str, expected: tuple[str, ...]) -> None:
    """French notes are scored (the sample's fr-01), but their durations ("6 mois", "4 à 8
    heures"), spelled counts and measurement cues ("fièvre", "pouls", "poids") gave no fact."""
    assert extract_facts(text, language="fr")["quantity"] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Nausées et photophobie, pas de vomissements. Pas d'aura visuelle.",
            ("no aura visuelle", "no vomissements"),
        ),
        ("Migraine sans aura.", ("no aura",)),
        ("Le patient nie la fièvre ni toux.", ("no fièvre", "no toux")),
        ("Aucune allergie connue.", ("no allergies",)),
        ("Apyrétique, non-fumeur.", ("no fièvre", "no tabac")),
        ("Douleur thoracique : absente.", ("no douleur thoracique",)),
        ("Pas de fièvre mais toux.", ("no fièvre",)),
        ("Revenir en cas de fièvre. Pas de changement.", ()),
    ],
)
def test_french_negations(text: str, expected: tuple[str, ...]) -> None:
    """French notes are scored, but "pas de", "sans", "aucune" and "nie" negated nothing: the
    sample's French reference ("pas de vomissements", "migraine sans aura") had no negation."""
    assert extract_facts(text, language="fr")["negation"] == expected


def test_a_french_negation_is_contradicted_by_the_finding() -> None:
    result = check_facts("Pas de fièvre.", "La patiente a de la fièvre.", language="fr")
    assert [c.generated for c in result.contradictions] == ["fièvre (affirmed)"]
    same = check_facts("Pas de fièvre.", "Apyrétique.", language="fr")
    assert (same.recall, same.precision) == (1.0, 1.0)


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("Height 178 cm.", "1.78 m tall."),
        ("Wound 15 mm long.", "Wound 1.5 cm long."),
        ("Follow up in 2 weeks.", "Review in 14 days."),
        ("Follow up in 2 weeks.", "Review in a fortnight."),
        ("Symptoms for 48 hours.", "Symptoms for 2 days."),
        ("Amoxicillin 500 mg for 7 days.", "Amoxicillin 500mg TDS x 7/7."),
        ("Cough for 2 weeks.", "Cough 2/52."),
        ("Back pain for 3 months.", "Back pain for 3/12."),
        ("Pain 7/10.", "Pain score 7 out of 10."),
    ],
)
def test_one_length_or_duration_written_two_ways_is_one_fact(
    reference: str, generated: str
) -> None:
    quantity = check_facts(reference, generated).kinds["quantity"]
    assert quantity.misses == ()
    assert quantity.unsupported == ()
    assert quantity.reference


@pytest.mark.parametrize(
    ("reference", "generated"),
    [
        ("Lesion 5 mm.", "Lesion 1 cm."),  # twice the size, though "1 cm" is written coarsely
        ("Follow up in 2 weeks.", "Review in 10 days."),
        ("Cough for 3 days.", "Cough 3/52."),
    ],
)
def test_a_different_length_or_duration_is_still_an_error(reference: str, generated: str) -> None:
    quantity = check_facts(reference, generated).kinds["quantity"]
    assert quantity.misses
    assert quantity.unsupported


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45 M presents with cough.", ()),  # a 45-year-old man, not 45 metres
        ("Visual acuity 6/12 right eye.", ("6/12",)),  # twelfths are months only in context
        ("6/12 hx of headaches.", ("6 month",)),
        ("BP 120/80, GCS 15/15.", ("120/80", "15/15")),
    ],
)
def test_shorthand_and_letters_read_only_where_they_mean_a_unit(
    text: str, expected: tuple[str, ...]
) -> None:
    assert extract_facts(text)["quantity"] == expected
