"""Per-section scoring: pairing, findings, coverage and length ratio."""

from __future__ import annotations

import json

import pytest

from scribe_eval.metrics import GeneratedSection, rouge, score_sections, split_markdown_sections

REFERENCE_MD = """# Subjective
Cough for three days, no fever.

## Objective
Lungs clear.

**Allergies**

# Plan
Fluids and rest.
"""


def test_split_markdown_sections() -> None:
    assert split_markdown_sections(REFERENCE_MD) == {
        "Subjective": "Cough for three days, no fever.",
        "Objective": "Lungs clear.",
        "Allergies": "",
        "Plan": "Fluids and rest.",
    }


def test_preamble_before_first_heading_is_kept() -> None:
    assert split_markdown_sections("Note by Dr. X\n# Plan\nRest") == {
        "": "Note by Dr. X",
        "Plan": "Rest",
    }


def _generated() -> list[GeneratedSection]:
    return [
        GeneratedSection("corti-subjective", "Subjective", "Cough for three days without fever."),
        GeneratedSection("corti-objective", "Objective", "   "),
        GeneratedSection("corti-assessment", "Assessment", "Viral bronchitis."),
    ]


def test_findings_are_reported_not_scored() -> None:
    scores = score_sections(_generated(), split_markdown_sections(REFERENCE_MD))
    status = {(p.reference_heading, p.section_key): p.status for p in scores.pairs}
    assert status == {
        ("Subjective", "corti-subjective"): "scored",
        ("Objective", "corti-objective"): "empty_generated",
        ("Allergies", None): "empty_reference",
        ("Plan", None): "missing",
        (None, "corti-assessment"): "extra",
    }
    assert len(scores.findings) == 4
    assert scores.coverage == pytest.approx(1 / 3)
    subjective = scores.pairs[0].rouge
    assert subjective is not None
    expected = rouge("Cough for three days, no fever.", "Cough for three days without fever.")
    assert subjective == expected
    assert scores.mean_f("rouge1") == expected.rouge1.fmeasure


def test_both_empty_is_never_a_perfect_score() -> None:
    scores = score_sections([("corti-plan", "Plan", "")], {"Plan": ""})
    assert scores.pairs[0].status == "both_empty"
    assert scores.pairs[0].rouge is None
    assert scores.mean_f() is None
    assert scores.coverage is None


def test_mapping_overrides_heading_match() -> None:
    scores = score_sections(
        [("corti-hpi", "History of present illness", "cough")],
        {"Anamnesis": "cough"},
        mapping={"Anamnesis": "corti-hpi"},
    )
    assert scores.pairs[0].status == "scored"
    assert scores.coverage == 1.0


def test_key_without_vendor_prefix_matches_heading() -> None:
    scores = score_sections([("corti-plan", "Procedere", "rest")], {"plan": "rest"})
    assert scores.pairs[0].status == "scored"


def test_length_ratio_and_json() -> None:
    scores = score_sections(
        [("corti-plan", "Plan", "a b c d")], {"Plan": "a b", "Subjective": "c d e f g h"}
    )
    assert scores.length_ratio == pytest.approx(4 / 8)
    data = scores.as_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["section_coverage"] == 0.5
    assert data["findings"][0]["status"] == "missing"


@pytest.mark.parametrize(
    "placeholder",
    ["No information recorded.", "Not discussed.", "None.", "Keine Angaben.",
     "Aucune information consignée.", "Non renseigné.", "Rien à signaler.", "Sans objet."],
)  # fmt: skip
def test_a_placeholder_section_does_not_cover_its_reference(placeholder: str) -> None:
    """A template that emptied its History into "No information recorded." read 100% section
    coverage beside a fact recall of 26: the placeholder holds nothing of the visit."""
    reference = {"History": "Sore throat for 3 days, no fever.", "Plan": "Review in 1 week."}
    generated = [
        GeneratedSection("history", "History", placeholder),
        GeneratedSection("plan", "Plan", "Review in one week."),
    ]
    scores = score_sections(generated, reference)
    assert scores.coverage == 0.5
    history = next(p for p in scores.pairs if p.reference_heading == "History")
    assert history.status == "empty_generated"


def test_a_placeholder_that_the_reference_writes_too_is_a_section_like_any() -> None:
    reference = {"Examination": "Not examined."}
    scores = score_sections([GeneratedSection("exam", "Examination", "Not examined.")], reference)
    assert scores.coverage == 1.0
