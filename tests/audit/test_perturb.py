"""Each perturbation changes what it says, and only that."""

from __future__ import annotations

import pytest

from scribe_eval.audit import PERTURBATIONS, PerturbationKind, perturb
from scribe_eval.metrics import extract_facts

NOTE = {
    "Subjective": "Sore throat for 4 days. No cough, no coryza. Allergy: penicillin.",
    "Objective": "Temperature 38.1 °C. Tender left anterior cervical lymph nodes.",
    "Plan": "Clarithromycin 500 mg twice daily for 5 days.",
}
MEDS = ["clarithromycin", "penicillin"]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        pytest.param("Heparin 5,000 units daily.", "en", "Heparin 50000 units daily.", id="en"),
        pytest.param("Heparin 5.000 IE täglich.", "de", "Heparin 50000 IE täglich.", id="de"),
        pytest.param("Ibuprofen 1,5 g.", "de", "Ibuprofen 15 g.", id="de-decimal"),
    ],
)
def test_a_tenfold_dose_reads_the_number_by_the_language(
    text: str, language: str, expected: str
) -> None:
    changed = perturb("dose_tenfold", {"Plan": text}, language=language)
    assert changed == {"Plan": expected}


@pytest.mark.parametrize(
    ("kind", "heading", "expected"),
    [
        pytest.param("dose_tenfold", "Plan", "Clarithromycin 5000 mg twice daily for 5 days.",
                     id="dose"),
        pytest.param("flip_negation", "Subjective",
                     "Sore throat for 4 days. cough, no coryza. Allergy: penicillin.", id="neg"),
        pytest.param("flip_laterality", "Objective",
                     "Temperature 38.1 °C. Tender right anterior cervical lymph nodes.", id="side"),
        pytest.param("swap_medication", "Plan", "amlodipine 500 mg twice daily for 5 days.",
                     id="medication"),
        pytest.param("drop_fact", "Subjective", "No cough, no coryza. Allergy: penicillin.",
                     id="drop"),
        pytest.param("paraphrase", "Plan", "Clarithromycin 500 mg twice a day for 5 days.",
                     id="paraphrase"),
    ],
)  # fmt: skip
def test_one_change_in_one_section(kind: PerturbationKind, heading: str, expected: str) -> None:
    changed = perturb(kind, NOTE, medications=MEDS)
    assert changed is not None
    assert changed[heading] == expected
    assert {h: t for h, t in changed.items() if h != heading} == {
        h: t for h, t in NOTE.items() if h != heading
    }


def test_reorder_and_invented_finding() -> None:
    reordered = perturb("reorder_sections", NOTE)
    assert reordered is not None
    assert list(reordered) == ["Plan", "Objective", "Subjective"]
    assert reordered == NOTE
    added = perturb("add_finding", NOTE, language="de")
    assert added is not None
    assert added["Subjective"].endswith("Ausstrahlung in den linken Arm.")


def test_paraphrase_keeps_every_fact() -> None:
    changed = perturb("paraphrase", NOTE, medications=MEDS)
    assert changed is not None
    text = "\n".join(changed.values())
    assert extract_facts(text, medications=MEDS) == extract_facts(
        "\n".join(NOTE.values()), medications=MEDS
    )


@pytest.mark.parametrize("kind", [k for k in PERTURBATIONS if k != "add_finding"])
def test_nothing_to_change_gives_none(kind: PerturbationKind) -> None:
    assert perturb(kind, {"Plan": "Rest."}) is None
