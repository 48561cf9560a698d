"""The fact checker against our golden set, and the demo encounter's known misses (issue 17)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from scribe_eval.metrics import check_facts, extract_facts
from scribe_eval.metrics._facts import FACT_KINDS
from scribe_eval.metrics._lexicon import LEXICON_LABEL, PhraseMap

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "facts"


def _files(holdout: bool) -> list[dict[str, Any]]:
    files = [yaml.safe_load(p.read_text("utf-8")) for p in sorted(GOLDEN.glob("golden-*.yaml"))]
    return [f for f in files if (f.get("split") == "holdout") == holdout]


def _cases() -> list[Any]:
    params = []
    for data in _files(holdout=False):
        for i, case in enumerate(data["cases"]):
            case_id = f"{data['language']}-{i:03d}-{case['topic']}"
            params.append(pytest.param(case, data, id=case_id))
    return params


def test_golden_set_has_the_size_the_issue_asks_for() -> None:
    by_language = {data["language"]: len(data["cases"]) for data in _files(holdout=False)}
    assert by_language["en"] >= 150
    assert by_language["de"] >= 50


@pytest.mark.parametrize(("case", "data"), _cases())
def test_golden_case(case: dict[str, Any], data: dict[str, Any]) -> None:
    found = extract_facts(case["text"], medications=data["medications"], language=data["language"])
    for kind in FACT_KINDS:
        assert set(found[kind]) == set(case.get(kind) or ()), kind


def test_held_out_statements_meet_the_targets_per_kind() -> None:
    """Statements written after the rules: >= 0.95 precision and >= 0.90 recall per kind."""
    tp: dict[str, int] = dict.fromkeys(FACT_KINDS, 0)
    fp, fn = dict(tp), dict(tp)
    for data in _files(holdout=True):
        for case in data["cases"]:
            found = extract_facts(
                case["text"], medications=data["medications"], language=data["language"]
            )
            for kind in FACT_KINDS:
                want, got = set(case.get(kind) or ()), set(found[kind])
                tp[kind] += len(want & got)
                fp[kind] += len(got - want)
                fn[kind] += len(want - got)
    for kind in FACT_KINDS:
        assert tp[kind] / (tp[kind] + fp[kind]) >= 0.95, kind
        assert tp[kind] / (tp[kind] + fn[kind]) >= 0.90, kind


DEMO_REFERENCE = (
    "Fever to 38.5 °C last night. No cough, no coryza. No difficulty breathing or opening the "
    "mouth. Temperature 38.1 °C. Return or call if not improving within 48 hours or unable to "
    "swallow fluids."
)
DEMO_NOTE = (
    "Have you had a fever? Yes, last night it was 38.5. No cough at all, and no runny nose. "
    "Any trouble breathing, or difficulty opening your mouth? No, nothing like that. "
    "Temperature today is 38.1. If not improving in 48 hours, or if unable to swallow fluids, call."
)


def test_demo_encounter_misses_are_gone() -> None:
    result = check_facts(DEMO_REFERENCE, DEMO_NOTE)
    assert result.kinds["quantity"].misses == ()
    assert "no coryza" in result.kinds["negation"].matched
    negated = extract_facts(DEMO_REFERENCE)["negation"]
    assert negated == ("no coryza", "no cough", "no shortness of breath", "no trismus")


def test_invented_facts_are_listed_with_their_kind() -> None:
    result = check_facts("No fever. Left knee pain.", "No fever. Right knee pain, BP 150/90.")
    assert result.invented == [("quantity", "150/90"), ("laterality", "right knee")]
    data = result.as_dict()
    assert data["invented"] == [
        {"kind": "quantity", "text": "150/90"},
        {"kind": "laterality", "text": "right knee"},
    ]
    assert data["missed"] == [{"kind": "laterality", "text": "left knee"}]
    assert data["fact_lexicon"] == LEXICON_LABEL


def test_a_tenfold_dose_is_both_a_miss_and_an_invention() -> None:
    result = check_facts("Ramipril 5 mg daily.", "Ramipril 50 mg daily.", medications=["ramipril"])
    assert ("medication", "ramipril 5 mg") in result.misses
    assert ("medication", "ramipril 50 mg") in result.invented
    assert result.kinds["medication"].recall == pytest.approx(2 / 3)


def test_phrase_map_prefers_the_longest_variant_and_whole_words() -> None:
    phrases = PhraseMap.build({"shortness of breath": ["sob", "short of breath"], "ab": ["a b"]})
    assert phrases.rewrite("sob; short of breath; sobbing") == (
        "shortness of breath; shortness of breath; sobbing"
    )
    assert PhraseMap.build({}).rewrite("unchanged") == "unchanged"


def test_consistent_texts_of_one_visit_contradict_nothing() -> None:
    """The sample's reference notes of a visit and its transcript, each against each, both ways:
    they agree, so every contradiction found here would be a false one."""
    from scribe_eval.dataset import load_dataset

    sample = Path(__file__).resolve().parents[2] / "datasets" / "sample"
    pairs = 0
    for encounter in load_dataset(sample).encounters:
        meds = [t.text for t in encounter.terms if t.kind == "medication"]
        texts = ["\n".join(note.sections.values()) for note in encounter.notes.values()]
        texts.append("\n".join(turn.text for turn in encounter.reference_turns))
        for i, reference in enumerate(texts):
            for j, generated in enumerate(texts):
                if i != j:
                    pairs += 1
                    result = check_facts(
                        reference, generated, medications=meds, language=encounter.language
                    )
                    assert result.contradictions == (), (encounter.id, result.contradictions)
    assert pairs >= 40
