"""The default ``template`` note engine on realistic primary-care visits."""

from __future__ import annotations

from typing import Any

import pytest

from scribe_eval import api
from scribe_eval.emulator._catalogue import builtin_catalogue
from scribe_eval.emulator.engines import (
    NoteEngine,
    NoteRequest,
    NoteSegment,
    TemplateNoteEngine,
    create_note_engine,
)
from scribe_eval.errors import EngineError

D, P = "doctor", "patient"
COUGH_VISIT = (
    (D, "Good morning, come in and have a seat. What brings you in today?"),
    (P, "Hi doctor. Um, I've had this cough for about five days now and it's getting worse at "
        "night."),
    (D, "Are you bringing anything up?"),
    (P, "Yes, some yellow phlegm. And I feel really tired."),
    (D, "Any fever?"),
    (P, "I had a temperature of 38.5 last night."),
    (D, "Any shortness of breath or chest pain?"),
    (P, "No."),
    (D, "Do you smoke?"),
    (P, "No, never."),
    (D, "Are you taking any medications at the moment?"),
    (P, "Just lisinopril 10 mg once a day for my blood pressure."),
    (D, "Any allergies to medicines?"),
    (P, "I'm allergic to penicillin, I get a rash."),
    (D, "Does anyone in your family have lung problems?"),
    (P, "My father had COPD, he was a heavy smoker."),
    (D, "Okay, let me listen to your chest. Your temperature today is 37.9 degrees and your blood "
        "pressure is 132 over 84. Oxygen saturation is 97 percent."),
    (D, "I can hear some crackles at the right base. Your throat looks a bit red."),
    (D, "I think this is most likely a community acquired pneumonia."),
    (D, "Since you're allergic to penicillin, I'll prescribe doxycycline 100 mg twice a day for "
        "seven days."),
    (D, "I'd also like you to get a chest x-ray this week. Come back in one week, or sooner if it "
        "gets worse."),
    (P, "Thank you, doctor."),
)  # fmt: skip
GERMAN_VISIT = (
    (D, "Guten Tag, was führt Sie zu mir?"),
    (P, "Ich habe seit drei Tagen Halsschmerzen und Fieber."),
    (D, "Haben Sie Husten?"),
    (P, "Nein."),
    (D, "Nehmen Sie Medikamente?"),
    (P, "Ich nehme Ramipril 5 mg gegen Bluthochdruck."),
    (D, "Ihre Temperatur ist 38,4 Grad. Der Rachen ist gerötet, die Mandeln sind geschwollen."),
    (D, "Ich denke, das ist eine Mandelentzündung."),
    (D, "Ich verschreibe Ihnen Penicillin V dreimal täglich. Kommen Sie in einer Woche zur "
        "Kontrolle."),
    (P, "Vielen Dank, Frau Doktor."),
)  # fmt: skip


def _request(
    template: dict[str, Any],
    *,
    language: str = "en",
    visit: tuple[tuple[str | None, str], ...] = COUGH_VISIT,
    facts: tuple[str, ...] = (),
) -> NoteRequest:
    body = {"context": [{"type": "string", "data": "."}], "outputLanguage": language, **template}
    resolved = builtin_catalogue().resolve(api.CreateDocumentRequest.model_validate(body))
    segments = tuple(NoteSegment(text, role) for role, text in visit)
    return NoteRequest(segments, None, facts, resolved, language)


def _write(template: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    written = TemplateNoteEngine().write(_request(template, **kwargs))
    return {section.name: section.text for section in written}


@pytest.fixture(scope="module")
def soap() -> dict[str, str]:
    return _write({"templateKey": "corti-soap"})


def test_engine_satisfies_the_protocol_and_is_the_default() -> None:
    engine = create_note_engine()
    assert isinstance(engine, TemplateNoteEngine)
    assert isinstance(engine, NoteEngine)
    assert engine.identity()["engine"] == "template"


def test_unknown_engine_name_is_an_engine_error() -> None:
    with pytest.raises(EngineError, match="unknown note engine 'gpt'"):
        create_note_engine("gpt")
    with pytest.raises(EngineError, match="takes no options"):
        create_note_engine("template", model="x")


def test_soap_sections_in_template_order(soap: dict[str, str]) -> None:
    assert list(soap) == ["Subjective", "Objective", "Assessment", "Plan"]


def test_subjective_holds_history_in_third_person_with_negatives(soap: dict[str, str]) -> None:
    subjective = soap["Subjective"]
    assert "Patient has had this cough for about five days" in subjective
    assert "Patient denies shortness of breath or chest pain." in subjective
    assert "Patient denies smoking." in subjective
    assert "lisinopril 10 mg" in subjective
    assert "I've" not in subjective
    assert "Um" not in subjective


def test_objective_holds_numbers_and_findings_only(soap: dict[str, str]) -> None:
    objective = soap["Objective"]
    for finding in ("37.9 degrees", "132 over 84", "97 percent", "crackles at the right base"):
        assert finding in objective
    assert "five days" not in objective
    assert "listen to" not in objective  # The announcement is not a finding.
    assert objective.startswith("- ")


def test_assessment_and_plan(soap: dict[str, str]) -> None:
    assert "pneumonia" in soap["Assessment"]
    assert "I think" not in soap["Assessment"]
    plan = soap["Plan"]
    assert "doxycycline 100 mg" in plan
    assert "x-ray" in plan
    assert "Come back in one week" in plan
    assert "lisinopril" not in plan
    assert "crackles" not in plan


def test_small_talk_is_dropped(soap: dict[str, str]) -> None:
    text = "\n".join(soap.values())
    for chat in ("Good morning", "have a seat", "Thank you"):
        assert chat not in text


def test_h_and_p_routes_to_specific_sections() -> None:
    note = _write({"templateKey": "corti-h-and-p"})
    assert note["Chief Complaint"] == "Cough for about five days now"
    assert "lisinopril" in note["Medications"]
    assert "penicillin" in note["Allergies"]
    assert "penicillin" not in note["Medications"].split("\n")[0]
    assert "Father had COPD" in note["Family History"]
    assert "smoking" in note["Social History (Smoking and Alcohol)"]
    assert "shortness of breath" in note["Review of Systems"]
    assert "lisinopril" not in note["History of Present Illness"]


def test_two_templates_give_different_documents(soap: dict[str, str]) -> None:
    brief = _write({"templateKey": "corti-brief-clinical-note"})
    assert list(brief) != list(soap)
    assert "Chief Complaint" in brief
    assert "Assessment and Plan" in brief
    combined = brief["Assessment and Plan"]
    assert "pneumonia" in combined
    assert "doxycycline" in combined
    assert "\n- " not in combined  # The combined section is prose, the SOAP plan a list.
    hpi = _write({"template": {"sectionKeys": ["corti-hpi"]}})["History of Present Illness"]
    assert hpi != soap["Subjective"]
    assert "lisinopril" not in hpi


def test_same_input_gives_the_same_document() -> None:
    request = _request({"templateKey": "corti-h-and-p"})
    first = TemplateNoteEngine().write(request)
    assert first == TemplateNoteEngine().write(request)
    assert first == create_note_engine("template").write(request)


@pytest.mark.parametrize(
    ("rule", "bullets"),
    [
        pytest.param("bullet list", True, id="bullets"),
        pytest.param("numbered list", False, id="numbered"),
        pytest.param("paragraph", False, id="prose"),
    ],
)
def test_format_rule_override_switches_layout(rule: str, bullets: bool) -> None:
    section = {"key": "corti-subjective", "formatRuleOverride": rule}
    text = _write({"template": {"sections": [section]}})["Subjective"]
    lines = text.split("\n")
    assert all(line.startswith("- ") for line in lines) is bullets
    assert (len(lines) > 3) is (rule != "paragraph")
    if rule == "numbered list":
        assert lines[0].startswith("1. ")
        assert lines[1].startswith("2. ")


def test_writing_style_override_telegraphic_vs_full() -> None:
    full = {"key": "corti-subjective", "writingStyleOverride": "full sentences"}
    short = {"key": "corti-subjective", "writingStyleOverride": "telegraphic",
             "formatRuleOverride": "bullet list"}  # fmt: skip
    prose = _write({"template": {"sections": [full]}})["Subjective"]
    shorthand = _write({"template": {"sections": [short]}})["Subjective"]
    assert "Patient has had this cough" in prose
    assert prose.endswith(".")
    assert "- Cough for about five days" in shorthand
    assert "Patient" not in shorthand
    assert not shorthand.endswith(".")


def test_name_override_is_the_heading() -> None:
    section = {"key": "corti-subjective", "nameOverride": "Anamnesis"}
    written = TemplateNoteEngine().write(_request({"template": {"sections": [section]}}))
    assert [(s.key, s.name) for s in written] == [("corti-subjective", "Anamnesis")]


@pytest.mark.parametrize(
    ("key", "heading", "removed", "kept"),
    [
        pytest.param("corti-plan", "Plan", "doxycycline", "Come back in one week", id="plan"),
        pytest.param("corti-subjective", "Subjective", "lisinopril", "cough", id="subjective"),
    ],
)
def test_content_override_exclude_medications(
    key: str, heading: str, removed: str, kept: str
) -> None:
    plain = _write({"template": {"sections": [{"key": key}]}})[heading]
    section = {"key": key, "contentOverride": "Exclude: medications"}
    filtered = _write({"template": {"sections": [section]}})[heading]
    assert removed in plain
    assert removed not in filtered
    assert kept in filtered


def test_instructions_include_only_and_limit() -> None:
    sections = [
        {"key": "corti-assessment", "additionalInstructionsOverride": "Include: family history."},
        {"key": "corti-plan", "contentOverride": "Only: medications"},
        {"key": "corti-objective", "additionalInstructionsOverride": "At most 2 items."},
    ]
    note = _write({"template": {"sections": sections}})
    assert "father had COPD" in note["Assessment"]
    assert "pneumonia" in note["Assessment"]
    assert "doxycycline" in note["Plan"]
    assert "x-ray" not in note["Plan"]
    assert len(note["Objective"].split("\n")) == 2


def test_template_instructions_apply_to_every_section() -> None:
    body = {
        "sectionKeys": ["corti-hpi", "corti-assessment"],
        "additionalInstructions": "Use bullet points.",
    }
    note = _write({"template": body})
    assert note["History of Present Illness"].startswith("- ")
    assert note["Assessment"].startswith("- ")


def test_german_visit_gets_german_headings_and_rewriting() -> None:
    note = _write({"templateKey": "corti-soap"}, language="de", visit=GERMAN_VISIT)
    assert list(note) == ["Subjektiv", "Objektiv", "Beurteilung", "Procedere"]
    assert "Pat. hat seit drei Tagen Halsschmerzen und Fieber." in note["Subjektiv"]
    assert "Pat. verneint Husten." in note["Subjektiv"]
    assert "Ramipril 5 mg" in note["Subjektiv"]
    assert "38,4 Grad" in note["Objektiv"]
    assert "Mandelentzündung" in note["Beurteilung"]
    assert "Penicillin V" in note["Procedere"]
    assert "Vielen Dank" not in "".join(note.values())


def test_english_visit_written_for_a_german_reader_keeps_content_as_spoken() -> None:
    note = _write({"templateKey": "corti-soap"}, language="de")
    assert list(note) == ["Subjektiv", "Objektiv", "Beurteilung", "Procedere"]
    assert "Pat. berichtet: I've had this cough" in note["Subjektiv"]
    assert "Pat. verneint shortness of breath or chest pain." in note["Subjektiv"]


@pytest.mark.parametrize(
    ("language", "empty"),
    [
        pytest.param("en", "No information recorded.", id="en"),
        pytest.param("de", "Keine Angaben dokumentiert.", id="de"),
        pytest.param("da", "Ingen oplysninger registreret.", id="da"),
        pytest.param("fr", "Aucune information consignée.", id="fr"),
    ],
)
def test_empty_transcript_says_so_in_the_output_language(language: str, empty: str) -> None:
    note = _write({"templateKey": "corti-soap"}, language=language, visit=())
    assert len(note) == 4
    assert set(note.values()) == {empty}


def test_unattributed_transcript_is_still_sorted() -> None:
    blob = " ".join(text for _, text in COUGH_VISIT)
    note = _write({"templateKey": "corti-soap"}, visit=((None, blob),))
    assert "crackles" in note["Objective"]
    assert "doxycycline" in note["Plan"]
    assert "five days" in note["Subjective"]
    assert "five days" not in note["Plan"]


def test_facts_are_routed_by_their_group() -> None:
    note = _write(
        {"templateKey": "corti-h-and-p"}, visit=(), facts=("allergies: latex gloves", "Asthma")
    )
    assert "latex gloves" in note["Allergies"].lower()
    assert "Asthma" in note["Past Medical History"]


def test_patient_summary_speaks_to_the_patient() -> None:
    summary = _write({"templateKey": "corti-patient-summary"})["Patient Summary"]
    assert summary.startswith("Reason for your visit: You have had this cough")
    assert "What we found:" in summary
    assert "pneumonia" in summary
    assert "Next steps:" in summary
    assert "doxycycline" in summary


def test_note_request_normalises_lists_and_fact_objects() -> None:
    resolved = builtin_catalogue().resolve(
        api.CreateDocumentRequest.model_validate(
            {"context": [{"type": "string", "data": "."}], "outputLanguage": "en",
             "templateKey": "corti-soap"}
        )
    )  # fmt: skip
    fact = api.Fact(text="penicillin", group="allergies")
    request = NoteRequest([NoteSegment("Hi")], None, [fact, "plain"], resolved, "en")  # type: ignore[arg-type]
    assert request.segments == (NoteSegment("Hi"),)
    assert request.facts == ("allergies: penicillin", "plain")


@pytest.mark.parametrize(
    "rule",
    ["Only: medications", "Include only the medications.", "Include: medications only."],
)
def test_only_reads_the_same_wherever_it_stands(rule: str) -> None:
    # "Include only X" and "Include: X only" restrict the section as "Only: X" does; they were
    # read as including the literal words "only the X" and changed nothing.
    note = _write({"template": {"sections": [{"key": "corti-plan", "contentOverride": rule}]}})
    assert "doxycycline" in note["Plan"]
    assert "x-ray" not in note["Plan"]
