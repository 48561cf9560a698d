"""The built-in template catalogue: its wire shape, lang filtering and template resolution."""

from __future__ import annotations

from typing import Any

import pytest

from scribe_eval import api
from scribe_eval.emulator._catalogue import (
    Catalogue,
    CatalogueError,
    ResolvedTemplate,
    builtin_catalogue,
    catalogue_from_mapping,
)
from scribe_eval.errors import TemplateError

REQUIRED_TEMPLATES = (
    "corti-soap",
    "corti-brief-clinical-note",
    "corti-h-and-p",
    "corti-patient-summary",
)
CONTRACT_SECTIONS = (
    "corti-subjective", "corti-objective", "corti-assessment", "corti-plan",
    "corti-assessment-and-plan", "corti-chief-complaint", "corti-hpi", "corti-review-of-systems",
    "corti-past-medical-history", "corti-medications", "corti-allergies", "corti-family-history",
    "corti-social-history-w-smoking-and-alcohol", "corti-physical-exam-with-vitals",
    "corti-vital-signs", "corti-diagnostic-results", "corti-patient-summary",
)  # fmt: skip
TRANSLATED = ("en", "de", "da", "fr")


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return builtin_catalogue()


def _request(**template: Any) -> api.CreateDocumentRequest:
    body = {"context": [{"type": "string", "data": "A cough."}], "outputLanguage": "en"}
    return api.CreateDocumentRequest.model_validate({**body, **template})


def test_builtin_catalogue_is_cached() -> None:
    assert builtin_catalogue() is builtin_catalogue()


def test_every_template_and_section_round_trips_through_the_wire_models(
    catalogue: Catalogue,
) -> None:
    templates = api.TemplateList.model_validate(
        {"data": [t.to_wire() for t in catalogue.templates()]}
    )
    sections = api.SectionList.model_validate({"data": [s.to_wire() for s in catalogue.sections()]})
    assert {t.key for t in templates.data} >= set(REQUIRED_TEMPLATES)
    assert {s.key for s in sections.data} == set(CONTRACT_SECTIONS)
    wire = catalogue.template("corti-soap")
    assert wire is not None
    assert "templateSections" in wire.to_wire()
    assert wire.section_keys() == [
        "corti-subjective",
        "corti-objective",
        "corti-assessment",
        "corti-plan",
    ]


def test_sections_carry_name_description_type_style_and_format(catalogue: Catalogue) -> None:
    for key in CONTRACT_SECTIONS:
        section = catalogue.section(key)
        assert section is not None, key
        assert section.name, key
        assert section.description, key
        assert section.type, key
        assert section.default_writing_style is not None
        assert section.default_writing_style.name
        assert section.default_format_rule is not None
        assert section.default_format_rule.name


def test_every_section_a_template_uses_exists(catalogue: Catalogue) -> None:
    for template in catalogue.templates(catalogue.output_languages()):
        for key in template.section_keys():
            assert catalogue.section(key) is not None, (template.key, key)


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_present_for_every_template_and_section(
    catalogue: Catalogue, language: str
) -> None:
    for template in catalogue.templates([language]):
        names = {t.language_id: t for t in template.translations}
        assert names[language].name, template.key
        assert names[language].description, template.key
    for section in catalogue.sections([language]):
        names = {t.language_id: t for t in section.translations}
        assert names[language].name, section.key
        assert names[language].description, section.key


@pytest.mark.parametrize(
    ("key", "language", "name"),
    [
        pytest.param("corti-soap", "de", "SOAP-Notiz", id="soap-de"),
        pytest.param("corti-soap", "fr", "Note SOAP", id="soap-fr"),
        pytest.param("corti-h-and-p", "da", "Journaloptagelse", id="h-and-p-da"),
        pytest.param("corti-soap", "en-GB", "SOAP Note", id="en-gb-falls-back"),
    ],
)
def test_template_names_in_language(
    catalogue: Catalogue, key: str, language: str, name: str
) -> None:
    template = catalogue.template(key)
    assert template is not None
    assert template.name_in(language) == name


def test_swiss_german_spells_ss_for_sharp_s(catalogue: Catalogue) -> None:
    review = catalogue.section("corti-review-of-systems")
    assert review is not None
    texts = {t.language_id: t.description or "" for t in review.translations}
    assert "ß" in texts["de"]
    assert "ß" not in texts["de-CH"]
    assert "einschliesslich" in texts["de-CH"]


def test_lang_filter_keeps_only_requested_translations(catalogue: Catalogue) -> None:
    templates = catalogue.templates(["de"])
    assert templates
    for template in templates:
        assert {t.language_id for t in template.translations} == {"de"}
        for placed in template.template_sections:
            assert {t.language_id for t in placed.section.translations} == {"de"}


def test_lang_filter_drops_templates_not_served_in_that_language(catalogue: Catalogue) -> None:
    spanish = {t.key for t in catalogue.templates(["es"])}
    english = {t.key for t in catalogue.templates(["en"])}
    assert "corti-emergency-response-note" in english
    assert "corti-emergency-response-note" not in spanish
    assert "corti-soap" in spanish
    assert catalogue.templates(["xx"]) == []


def test_output_languages_are_the_contract_template_languages(catalogue: Catalogue) -> None:
    assert set(catalogue.output_languages()) == {
        "da",
        "de",
        "de-CH",
        "en",
        "en-GB",
        "es",
        "fr",
        "sv",
    }


def test_resolve_template_key(catalogue: Catalogue) -> None:
    resolved = catalogue.resolve(_request(templateKey="corti-soap", outputLanguage="da"))
    assert resolved.template_ref == "corti-soap"
    assert resolved.name == "SOAP-notat"
    assert [s.name for s in resolved.sections] == ["Subjektivt", "Objektivt", "Vurdering", "Plan"]
    assert resolved.documentation_mode == "global_sequential"
    assert resolved.sections[0].writing_style == "Clinical narrative, third person"


def test_template_key_wins_over_inline_template(catalogue: Catalogue) -> None:
    request = _request(
        templateKey="corti-brief-clinical-note", template={"sectionKeys": ["corti-plan"]}
    )
    resolved = catalogue.resolve(request)
    assert resolved.template_ref == "corti-brief-clinical-note"
    assert resolved.section_keys()[0] == "corti-chief-complaint"


def test_resolve_section_keys(catalogue: Catalogue) -> None:
    request = _request(
        template={"sectionKeys": ["corti-hpi", "corti-plan"], "documentName": "Visit",
                  "additionalInstructions": "Be brief."},
        outputLanguage="fr", documentationMode="routed_parallel",
    )  # fmt: skip
    resolved = catalogue.resolve(request)
    assert resolved == ResolvedTemplate(
        name="Visit",
        template_ref=None,
        sections=resolved.sections,
        instructions="Be brief.",
        documentation_mode="routed_parallel",
    )
    assert [s.name for s in resolved.sections] == ["Histoire de la maladie", "Plan"]


def test_resolve_sections_applies_every_override(catalogue: Catalogue) -> None:
    override = {
        "key": "corti-subjective", "nameOverride": "Anamnesis",
        "writingStyleOverride": "telegraphic", "formatRuleOverride": "bullet list",
        "additionalInstructionsOverride": "Mention smoking.",
        "contentOverride": "Exclude: medications",
    }  # fmt: skip
    request = _request(
        template={
            "sections": [override, {"key": "corti-plan"}],
            "additionalInstructionsOverride": "X",
        },
        outputLanguage="de",
    )
    resolved = catalogue.resolve(request)
    first, second = resolved.sections
    assert (first.name, first.writing_style, first.format_rule) == (
        "Anamnesis",
        "telegraphic",
        "bullet list",
    )
    assert (first.additional_instructions, first.content) == (
        "Mention smoking.",
        "Exclude: medications",
    )
    assert first.description is not None
    assert first.description.startswith("Angaben des Patienten")
    assert (second.name, second.format_rule, second.content) == ("Procedere", "Bullet list", None)
    assert resolved.instructions == "X"
    assert resolved.name == "Klinische Notiz"


@pytest.mark.parametrize(
    ("template", "language", "status", "fragment"),
    [
        pytest.param({"templateKey": "corti-nope"}, "en", 404, "corti-nope", id="unknown-template"),
        pytest.param({"template": {"sectionKeys": ["corti-hpi", "corti-x"]}}, "en", 404, "corti-x",
                     id="unknown-section-key"),
        pytest.param({"template": {"sections": [{"key": "corti-y"}]}}, "en", 404, "corti-y",
                     id="unknown-section-override"),
        pytest.param({"templateKey": "corti-soap"}, "xx", 400, "outputLanguage", id="bad-language"),
        pytest.param({"templateKey": "corti-soap"}, "it", 400, "outputLanguage",
                     id="contract-language-without-templates"),
        pytest.param({"templateKey": "corti-emergency-response-note"}, "es", 400, "not available",
                     id="template-not-in-language"),
    ],
)  # fmt: skip
def test_resolve_errors(
    catalogue: Catalogue, template: dict[str, Any], language: str, status: int, fragment: str
) -> None:
    with pytest.raises(CatalogueError) as caught:
        catalogue.resolve(_request(outputLanguage=language, **template))
    assert caught.value.status == status
    assert fragment in caught.value.detail
    assert isinstance(caught.value, TemplateError)


def test_empty_sections_is_a_400(catalogue: Catalogue) -> None:
    valid = _request(template={"sections": [{"key": "corti-plan"}]})
    assert isinstance(valid.template, api.TemplateBySections)
    emptied = valid.model_copy(
        update={"template": valid.template.model_copy(update={"sections": []})}
    )
    with pytest.raises(CatalogueError) as caught:
        catalogue.resolve(emptied)
    assert caught.value.status == 400


def test_output_language_is_matched_case_insensitively(catalogue: Catalogue) -> None:
    resolved = catalogue.resolve(_request(templateKey="corti-soap", outputLanguage="DE-ch"))
    assert resolved.name == "SOAP-Notiz"


def test_malformed_catalogue_data_is_a_template_error() -> None:
    data = {
        "languages": ["en"],
        "sections": {},
        "templates": {"t": {"sections": ["missing"], "text": {"en": ["T", "d"]}}},
    }
    with pytest.raises(TemplateError, match="malformed"):
        catalogue_from_mapping(data)
