"""Template adherence: expectations built from real requests and the built-in catalogue, then
table-driven notes that obey or break each rule (layout, heading, language, order, sections,
length)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from scribe_eval.api import CreateDocumentRequest
from scribe_eval.metrics import (
    ADHERENCE_RULES,
    AdherenceExpectations,
    GeneratedSection,
    LengthLimit,
    check_adherence,
    detect_layout,
    expectations_from_request,
    pooled_adherence,
)
from scribe_eval.metrics._adherence_spec import layout_of, parse_limits
from scribe_eval.templates import Catalogue, builtin_catalogue, load_template_file

CONTEXT = [{"type": "transcript", "data": {"text": "Doctor: Hello."}}]

SUBJ_BULLETS = """- Sore throat for four days, worse on swallowing
- Fever up to 38.5 last night, eased by paracetamol
- No cough, no runny nose"""
SUBJ_PROSE = """The patient reports a sore throat for four days that is worse when swallowing. \
She had a fever of 38.5 last night, which eased with paracetamol. She denies cough."""
OBJ = """- Temperature 38.1
- Swollen tonsils with white patches on both sides
- Chest sounds clear"""
ASSESS_BULLETS = "- Likely bacterial tonsillitis given fever, exudate and tender glands"
ASSESS_PROSE = "Likely bacterial tonsillitis given the fever, the exudate and the tender glands."
PLAN = """- Clarithromycin 500 mg twice a day for five days because of the penicillin allergy
- Paracetamol one gram up to four times a day, plenty of fluids
- Call back if not improving within 48 hours"""

DE_SUBJ = """- Seit drei Tagen starke Schmerzen im unteren Rücken
- Beginn beim Heben einer schweren Kiste
- Kein Kribbeln und keine Taubheit in den Beinen"""
DE_OBJ = """- Muskulatur links paravertebral verspannt und druckempfindlich
- Kraft und Reflexe an beiden Beinen normal"""
DE_ASSESS = "- Verdacht auf einen akuten Hexenschuss ohne neurologische Ausfälle"
DE_PLAN = """- Ibuprofen sechshundert Milligramm dreimal täglich nach dem Essen
- In Bewegung bleiben und Bettruhe vermeiden"""


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return builtin_catalogue()


def request(fields: dict[str, Any], language: str = "en") -> CreateDocumentRequest:
    return CreateDocumentRequest.model_validate(
        {"context": CONTEXT, "outputLanguage": language, **fields}
    )


def telegraphic(catalogue: Catalogue, language: str = "en") -> AdherenceExpectations:
    spec = load_template_file(Path(__file__).parents[2] / "templates/soap-telegraphic.yaml")
    return expectations_from_request(request(spec.request_fields(), language), catalogue)


def soap(catalogue: Catalogue, language: str = "en") -> AdherenceExpectations:
    return expectations_from_request(request({"templateKey": "corti-soap"}, language), catalogue)


def note(*sections: tuple[str, str, str]) -> list[GeneratedSection]:
    return [GeneratedSection(key, name, text) for key, name, text in sections]


TELEGRAPHIC_EN = note(
    ("corti-subjective", "History", SUBJ_BULLETS),
    ("corti-objective", "Objective", OBJ),
    ("corti-assessment", "Assessment", ASSESS_BULLETS),
    ("corti-plan", "Plan", PLAN),
)
NARRATIVE_EN = note(
    ("corti-subjective", "Subjective", SUBJ_PROSE),
    ("corti-objective", "Objective", OBJ),
    ("corti-assessment", "Assessment", ASSESS_PROSE),
    ("corti-plan", "Plan", PLAN),
)
TELEGRAPHIC_DE = note(
    ("corti-subjective", "History", DE_SUBJ),
    ("corti-objective", "Objektiv", DE_OBJ),
    ("corti-assessment", "Beurteilung", DE_ASSESS),
    ("corti-plan", "Procedere", DE_PLAN),
)


@pytest.mark.parametrize(
    ("text", "layout"),
    [
        pytest.param("- a b\n- c d", "bullets", id="dash-bullets"),
        pytest.param("* a\n\n• b\n", "bullets", id="mixed-markers-still-bullets"),
        pytest.param("1. a\n2. b\n3) c", "numbered", id="numbered"),
        pytest.param("One sentence. Two.\nThree on a new line.", "paragraph", id="paragraph"),
        pytest.param("Likely viral tonsillitis.", "single_line", id="single-line"),
        pytest.param("Two sentences. On one line.", "paragraph", id="one-line-paragraph"),
        pytest.param("Intro line:\n- a\n- b", "mixed", id="lead-in-then-bullets"),
        pytest.param("-5 degrees outside\nnext", "paragraph", id="minus-sign-is-not-a-bullet"),
        pytest.param("  \n", "empty", id="empty"),
    ],
)
def test_detect_layout(text: str, layout: str) -> None:
    assert detect_layout(text) == layout


@pytest.mark.parametrize(
    ("rule", "layout"),
    [
        ("Bullet list", "bullets"),
        ("numbered list", "numbered"),
        ("Paragraph", "paragraph"),
        ("Single line", "single_line"),
        ("Stichpunkte", "bullets"),
        ("Fließtext", "paragraph"),
        ("haiku", None),
        (None, None),
    ],
)
def test_layout_of_format_rule(rule: str | None, layout: str | None) -> None:
    assert layout_of(rule) == layout


@pytest.mark.parametrize(
    ("text", "limits"),
    [
        ("at most 3 bullets", [("items", 3)]),
        ("Keep it to no more than 40 words.", [("words", 40)]),
        ("höchstens 50 Wörter", [("words", 50)]),
        ("under 100 words, max. 2 sentences", [("words", 99), ("sentences", 2)]),
        ("up to 3 times a day", []),
        ("Include: children under 5", []),
        ("Include: symptoms, negatives. Exclude: medications.", []),
    ],
)
def test_parse_limits(text: str, limits: list[tuple[str, int]]) -> None:
    assert [(limit.unit, limit.maximum) for limit in parse_limits(text, "t")] == limits


def test_expectations_of_the_telegraphic_template(catalogue: Catalogue) -> None:
    en, de = telegraphic(catalogue), telegraphic(catalogue, "de")
    assert [s.heading for s in en.sections] == ["History", "Objective", "Assessment", "Plan"]
    assert [s.heading for s in de.sections] == ["History", "Objektiv", "Beurteilung", "Procedere"]
    assert [s.heading_source for s in de.sections][:2] == ["nameOverride", "catalogue"]
    # Overrides win; the objective and plan keep their catalogue default (Bullet list).
    assert [s.layout for s in en.sections] == ["bullets"] * 4
    assert en.sections[0].content == "Include: symptoms, negatives. Exclude: medications."
    assert en.instructions == "Never invent findings; leave out what was not discussed."


def test_expectations_of_a_stored_template(catalogue: Catalogue) -> None:
    expected = soap(catalogue, "de")
    assert expected.section_keys() == (
        "corti-subjective", "corti-objective", "corti-assessment", "corti-plan",
    )  # fmt: skip
    assert [s.layout for s in expected.sections] == ["paragraph", "bullets", "paragraph", "bullets"]
    assert expected.sections[3].heading == "Procedere"


def test_telegraphic_note_follows_telegraphic_template(catalogue: Catalogue) -> None:
    result = check_adherence(telegraphic(catalogue), TELEGRAPHIC_EN)
    assert result.failures() == []
    assert result.rate == 1.0
    assert result.detected_language == "en"
    assert dict(result.layouts)["corti-subjective"] == "bullets"


def test_paragraph_note_breaks_telegraphic_format_but_suits_soap(catalogue: Catalogue) -> None:
    against_telegraphic = check_adherence(telegraphic(catalogue), NARRATIVE_EN)
    assert [c.label for c in against_telegraphic.failures()] == [
        "corti-subjective.heading",
        "corti-subjective.format",
        "corti-assessment.format",
    ]
    assert against_telegraphic.rule_rate("format") == 0.5
    against_soap = check_adherence(soap(catalogue), NARRATIVE_EN)
    assert against_soap.failures() == []
    # And the telegraphic note breaks stored SOAP's paragraph rule and its heading.
    labels = [c.label for c in check_adherence(soap(catalogue), TELEGRAPHIC_EN).failures()]
    assert labels == [
        "corti-subjective.heading", "corti-subjective.format", "corti-assessment.format",
    ]  # fmt: skip


def test_german_note_in_german(catalogue: Catalogue) -> None:
    result = check_adherence(telegraphic(catalogue, "de-CH"), TELEGRAPHIC_DE)
    assert result.detected_language == "de"
    assert result.rule_rate("language") == 1.0
    assert result.failures() == []
    assert result.rate == 1.0


def test_wrong_language_fails_note_and_sections(catalogue: Catalogue) -> None:
    result = check_adherence(telegraphic(catalogue, "de"), TELEGRAPHIC_EN)
    failed = {c.label for c in result.failures()}
    assert "note.language" in failed
    assert {"corti-subjective.language", "corti-plan.language"} <= failed
    assert {"corti-objective.heading", "corti-assessment.heading", "corti-plan.heading"} <= failed
    assert result.detected_language == "en"
    assert result.rule_rate("language") == 0.0


def test_short_sections_are_not_judged_for_language(catalogue: Catalogue) -> None:
    sections = [*TELEGRAPHIC_EN[:3], GeneratedSection("corti-plan", "Plan", "- Review 2/52")]
    check = next(c for c in check_adherence(telegraphic(catalogue), sections).checks
                 if c.label == "corti-plan.language")  # fmt: skip
    assert check.verdict == "skip"


@pytest.mark.parametrize(
    ("sections", "failed"),
    [
        pytest.param(TELEGRAPHIC_EN[:3], ["corti-plan.present"], id="missing"),
        pytest.param(
            [*TELEGRAPHIC_EN, GeneratedSection("corti-medications", "Medications", PLAN)],
            ["corti-medications.allowed"],
            id="extra",
        ),
        pytest.param(
            [TELEGRAPHIC_EN[1], TELEGRAPHIC_EN[0], *TELEGRAPHIC_EN[2:]],
            ["note.order"],
            id="out-of-order",
        ),
        pytest.param([*TELEGRAPHIC_EN, TELEGRAPHIC_EN[3]], ["corti-plan.allowed"], id="twice"),
    ],
)
def test_section_set_and_order(
    catalogue: Catalogue, sections: list[GeneratedSection], failed: list[str]
) -> None:
    result = check_adherence(telegraphic(catalogue), sections)
    assert [c.label for c in result.failures()] == failed


def test_order_failure_names_the_first_misplaced_section(catalogue: Catalogue) -> None:
    swapped = [TELEGRAPHIC_EN[1], TELEGRAPHIC_EN[0], *TELEGRAPHIC_EN[2:]]
    (failure,) = check_adherence(telegraphic(catalogue), swapped).failures()
    assert failure.reason == "section 1 is corti-objective, expected corti-subjective"


@pytest.mark.parametrize(
    ("limit", "text", "verdict"),
    [
        ("at most 3 bullets", PLAN, "pass"),
        ("at most 2 bullets", PLAN, "fail"),
        ("no more than 20 words", PLAN, "fail"),
        ("no more than 40 words", PLAN, "pass"),
        ("at most 1 sentence", ASSESS_PROSE, "pass"),
    ],
)
def test_length_limits(catalogue: Catalogue, limit: str, text: str, verdict: str) -> None:
    fields = {"template": {"sections": [{"key": "corti-plan", "additionalInstructionsOverride":
                                         limit, "formatRuleOverride": "any"}]}}  # fmt: skip
    expected = expectations_from_request(request(fields), catalogue)
    result = check_adherence(expected, [GeneratedSection("corti-plan", "Plan", text)])
    (length,) = [c for c in result.checks if c.rule == "length"]
    assert length.verdict == verdict, length.reason
    assert next(c for c in result.checks if c.rule == "format").verdict == "skip"


def test_note_level_limit_from_template_instructions(catalogue: Catalogue) -> None:
    instructions = "The whole note in under 30 words."
    keys = ["corti-subjective", "corti-plan"]
    fields = {"template": {"sectionKeys": keys, "additionalInstructions": instructions}}
    expected = expectations_from_request(request(fields), catalogue)
    assert expected.note_limits == (LengthLimit("words", 29, "instructions"),)
    result = check_adherence(expected, [TELEGRAPHIC_EN[0], TELEGRAPHIC_EN[3]])
    assert "note.length" in {c.label for c in result.failures()}


def test_numbered_list_must_count_from_one(catalogue: Catalogue) -> None:
    fields = {"template": {"sections": [{"key": "corti-plan", "formatRuleOverride": "numbered"}]}}
    expected = expectations_from_request(request(fields), catalogue)
    good = "1. Clarithromycin for five days\n2. Fluids and paracetamol as needed"
    bad = "1. Clarithromycin for five days\n3. Fluids and paracetamol as needed"
    for text, verdict in ((good, "pass"), (bad, "fail"), (PLAN, "fail")):
        result = check_adherence(expected, [GeneratedSection("corti-plan", "Plan", text)])
        assert next(c for c in result.checks if c.rule == "format").verdict == verdict


def test_heading_comparison_ignores_case_markdown_and_colon(catalogue: Catalogue) -> None:
    sections = [GeneratedSection(s.key, f"**{s.name.upper()}:**", s.text) for s in TELEGRAPHIC_EN]
    assert check_adherence(telegraphic(catalogue), sections).rule_rate("heading") == 1.0


def test_as_dict_keys_are_stable(catalogue: Catalogue) -> None:
    data = check_adherence(telegraphic(catalogue), NARRATIVE_EN).as_dict()
    rule_keys = {f"adherence_{rule}_rate" for rule in ADHERENCE_RULES}
    assert rule_keys | {
        "adherence_rate", "adherence_passed", "adherence_failed_count", "adherence_failed",
        "adherence_failures", "adherence_sections", "adherence_language",
        "adherence_language_detected", "adherence_layouts", "adherence_version",
        "language_identifier", "metrics_version",
    } == set(data)  # fmt: skip
    assert data["adherence_failed"][0] == "corti-subjective.heading"
    assert data["adherence_failures"][1]["rule"] == "format"
    assert data["adherence_passed"] + data["adherence_failed_count"] > 0
    assert data["adherence_rate"] == data["adherence_passed"] / (
        data["adherence_passed"] + data["adherence_failed_count"]
    )
    assert data["adherence_sections"]["corti-objective"] == 1.0
    assert data["language_identifier"].startswith("py3langid@")


def test_pooled_adherence_weights_checks_not_notes(catalogue: Catalogue) -> None:
    good = check_adherence(telegraphic(catalogue), TELEGRAPHIC_EN)
    bad = check_adherence(telegraphic(catalogue), NARRATIVE_EN)
    pooled = pooled_adherence([good, bad])
    assert pooled["adherence_rate"] == (good.passed + bad.passed) / (
        good.passed + good.failed + bad.passed + bad.failed
    )
    assert pooled["adherence_format_rate"] == 0.75
    assert pooled_adherence([])["adherence_rate"] is None


def test_request_without_template_is_an_error(catalogue: Catalogue) -> None:
    from scribe_eval.errors import MetricError

    body = request({"templateKey": "no-such-template"})
    with pytest.raises(MetricError, match="no-such-template"):
        expectations_from_request(body, catalogue)
