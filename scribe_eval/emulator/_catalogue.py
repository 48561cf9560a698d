"""The emulator's read-only template catalogue (contract section 5) and template resolution.

The built-in catalogue lives in ``data/catalogue.yaml``: the standard section and template keys,
each with a type, a default writing style and format rule, and a name and description in every
served language. :meth:`Catalogue.resolve` turns the three ways a document request can choose a
template (a ``templateKey``; ``sectionKeys``; ``sections`` with overrides) into one
:class:`ResolvedTemplate` that the note engines write from, with every override already applied
and every heading in the output language.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final

import yaml

from scribe_eval import api
from scribe_eval.errors import TemplateError

CATALOGUE_RESOURCE: Final = "data/catalogue.yaml"
"""The built-in catalogue, relative to the ``scribe_eval.emulator`` package."""

_GENERIC_NAMES: Final[dict[str, str]] = {
    "en": "Clinical Note", "de": "Klinische Notiz", "da": "Klinisk notat", "fr": "Note clinique",
    "es": "Nota clínica", "sv": "Klinisk anteckning",
}  # fmt: skip


class CatalogueError(TemplateError):
    """A document request names a template, section or language the catalogue cannot serve.

    ``status`` is the HTTP status the emulator answers with (404 unknown key, 400 bad request);
    ``detail`` is the human-readable message of the error body.
    """

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class SectionSpec:
    """One section to write, with the request's overrides applied.

    ``name`` is the heading in the output language (``nameOverride`` wins); ``writing_style``,
    ``format_rule`` and ``additional_instructions`` are the override when given, else the
    section's default; ``content`` is the ``contentOverride`` (None when not given).
    ``overridden`` names the fields the request set (``"format_rule"``, ...), so an engine can
    let template-level instructions beat a section's defaults but not its overrides.
    """

    key: str
    name: str
    description: str | None
    writing_style: str | None
    format_rule: str | None
    additional_instructions: str | None
    content: str | None
    overridden: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ResolvedTemplate:
    """Everything a note engine needs to write one document, whatever form the request used.

    ``template_ref`` is the ``templateKey`` (None for an inline template); ``instructions`` are
    the template-level additional instructions; ``sections`` are in the template's order.
    """

    name: str
    template_ref: str | None
    sections: tuple[SectionSpec, ...]
    instructions: str | None
    documentation_mode: api.DocumentationMode

    def section_keys(self) -> list[str]:
        """The section keys in document order."""
        return [section.key for section in self.sections]


class Catalogue:
    """Templates and sections with their translations, and the languages documents are written in.

    Args:
        templates: Catalogue templates (their sections embedded, as on the wire).
        sections: Every section, including those no template uses.
        languages: The output languages served (contract codes such as ``de-CH``).
        template_languages: Per template key, the languages it is served in (default: all).
    """

    def __init__(
        self,
        templates: Sequence[api.Template],
        sections: Sequence[api.Section],
        languages: Sequence[str],
        template_languages: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self._templates = {template.key: template for template in templates}
        self._sections = {section.key: section for section in sections}
        self._languages = tuple(languages)
        self._canonical = {code.lower(): code for code in self._languages}
        served = template_languages or {}
        self._template_languages = {
            key: tuple(served.get(key, self._languages)) for key in self._templates
        }
        for template in templates:
            for key in template.section_keys():
                if key not in self._sections:
                    raise TemplateError(
                        f"catalogue template {template.key!r} uses unknown section {key!r}; "
                        "add the section to the catalogue's sections"
                    )

    def output_languages(self) -> tuple[str, ...]:
        """The languages documents can be written in, as contract codes (``en``, ``de-CH`` ...)."""
        return self._languages

    def templates(self, languages: Sequence[str] = ("en",)) -> list[api.Template]:
        """The templates served in any of ``languages``, with translations for those languages."""
        wanted = self._wanted(languages)
        return [
            _filtered_template(template, wanted)
            for key, template in self._templates.items()
            if wanted.intersection(self._template_languages[key])
        ]

    def template(self, key: str) -> api.Template | None:
        """The template ``key`` with every translation, or None when the catalogue lacks it."""
        return self._templates.get(key)

    def template_languages(self, key: str) -> tuple[str, ...]:
        """The languages template ``key`` is served in (empty for an unknown key)."""
        return self._template_languages.get(key, ())

    def sections(self, languages: Sequence[str] = ("en",)) -> list[api.Section]:
        """Every section available in any of ``languages``, with those languages' translations."""
        wanted = self._wanted(languages)
        return [
            _filtered_section(section, wanted)
            for section in self._sections.values()
            if wanted.intersection(t.language_id for t in section.translations)
        ]

    def section(self, key: str) -> api.Section | None:
        """The section ``key`` with every translation, or None when the catalogue lacks it."""
        return self._sections.get(key)

    def resolve(self, request: api.CreateDocumentRequest) -> ResolvedTemplate:
        """Turn a document request's template choice into the sections to write.

        ``templateKey`` wins over ``template``. Raises :class:`CatalogueError`: 400 for an
        unsupported ``outputLanguage`` or an empty ``sections`` list, 404 for an unknown template
        or section key.
        """
        language = self._output_language(request.output_language)
        mode = request.documentation_mode
        if request.template_key is not None:
            return self._resolve_key(request.template_key, language, request.name, mode)
        inline = request.template
        if isinstance(inline, api.TemplateBySectionKeys):
            specs = tuple(
                self._spec(self._known_section(key), language, None) for key in inline.section_keys
            )
            name = request.name or inline.document_name or _generic_name(language)
            return ResolvedTemplate(
                name, None, specs, inline.additional_instructions, mode or "global_sequential"
            )
        if isinstance(inline, api.TemplateBySections):
            if not inline.sections:
                raise CatalogueError(400, "template.sections is empty; give at least one section")
            specs = tuple(
                self._spec(self._known_section(override.key), language, override)
                for override in inline.sections
            )
            name = request.name or _generic_name(language)
            return ResolvedTemplate(
                name, None, specs, inline.additional_instructions_override,
                mode or "global_sequential",
            )  # fmt: skip
        raise CatalogueError(400, "the request names no template; give templateKey or template")

    def _resolve_key(
        self, key: str, language: str, name: str | None, mode: api.DocumentationMode | None
    ) -> ResolvedTemplate:
        template = self._templates.get(key)
        if template is None:
            raise CatalogueError(
                404, f"unknown templateKey {key!r}; GET /templates/ lists the available keys"
            )
        if language not in self._template_languages[key]:
            served = ", ".join(self._template_languages[key])
            raise CatalogueError(
                400, f"template {key!r} is not available in {language!r}; use one of {served}"
            )
        by_key = {ts.section.key: ts.section for ts in template.template_sections}
        specs = tuple(self._spec(by_key[k], language, None) for k in template.section_keys())
        documentation_mode: api.DocumentationMode = mode or (
            "routed_parallel"
            if template.documentation_mode == "routed_parallel"
            else "global_sequential"
        )
        return ResolvedTemplate(
            name or template.name_in(language), key, specs, template.additional_instructions,
            documentation_mode,
        )  # fmt: skip

    def _spec(
        self, section: api.Section, language: str, override: api.SectionOverride | None
    ) -> SectionSpec:
        style = section.default_writing_style.name if section.default_writing_style else None
        rule = section.default_format_rule.name if section.default_format_rule else None
        instructions = section.additional_instructions
        if override is None:
            return SectionSpec(
                section.key, section.name_in(language), _description_in(section, language),
                style, rule, instructions, None,
            )  # fmt: skip
        return SectionSpec(
            key=section.key,
            name=override.name_override or section.name_in(language),
            description=_description_in(section, language),
            writing_style=override.writing_style_override or style,
            format_rule=override.format_rule_override or rule,
            additional_instructions=override.additional_instructions_override or instructions,
            content=override.content_override,
            overridden=frozenset(
                name
                for name, value in (
                    ("name", override.name_override),
                    ("writing_style", override.writing_style_override),
                    ("format_rule", override.format_rule_override),
                    ("additional_instructions", override.additional_instructions_override),
                    ("content", override.content_override),
                )
                if value is not None
            ),
        )

    def _known_section(self, key: str) -> api.Section:
        section = self._sections.get(key)
        if section is None:
            raise CatalogueError(
                404, f"unknown section key {key!r}; GET /templateSections/ lists the available keys"
            )
        return section

    def _output_language(self, code: str) -> str:
        language = self._canonical.get(code.strip().lower())
        if language is None:
            served = ", ".join(self._languages)
            raise CatalogueError(
                400, f"outputLanguage {code!r} is not supported; use one of {served}"
            )
        return language

    def _wanted(self, languages: Iterable[str]) -> set[str]:
        codes = [code for code in languages if code] or ["en"]
        return {self._canonical.get(code.strip().lower(), code) for code in codes}


def _filtered_section(section: api.Section, wanted: set[str]) -> api.Section:
    translations = [t for t in section.translations if t.language_id in wanted]
    return section.model_copy(update={"translations": translations})


def _filtered_template(template: api.Template, wanted: set[str]) -> api.Template:
    sections = [
        ts.model_copy(update={"section": _filtered_section(ts.section, wanted)})
        for ts in template.template_sections
    ]
    translations = [t for t in template.translations if t.language_id in wanted]
    return template.model_copy(update={"translations": translations, "template_sections": sections})


def _description_in(section: api.Section, language: str) -> str | None:
    base = language.split("-")[0].lower()
    found = {t.language_id.lower(): t.description for t in section.translations if t.description}
    return found.get(language.lower()) or found.get(base) or section.description


def _generic_name(language: str) -> str:
    return _GENERIC_NAMES.get(language.split("-")[0].lower(), _GENERIC_NAMES["en"])


@functools.cache
def builtin_catalogue() -> Catalogue:
    """The catalogue shipped with scribe-eval (loaded once per process from the package data)."""
    text = resources.files("scribe_eval.emulator").joinpath(CATALOGUE_RESOURCE).read_text("utf-8")
    return catalogue_from_mapping(yaml.safe_load(text))


def catalogue_from_mapping(data: Mapping[str, Any]) -> Catalogue:
    """Build a :class:`Catalogue` from the data layout of ``data/catalogue.yaml``.

    Raises:
        TemplateError: The data misses a field or names an unknown section.
    """
    try:
        languages: list[str] = list(data["languages"])
        texts = _LanguageTexts(languages, data.get("derived") or {})
        updated = data.get("updated_at")
        sections = {key: _section(key, entry, texts) for key, entry in data["sections"].items()}
        templates = [
            _template(key, entry, sections, texts, updated)
            for key, entry in data["templates"].items()
        ]
        served = {
            key: list(entry["languages"])
            for key, entry in data["templates"].items()
            if "languages" in entry
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(
            f"the template catalogue data is malformed ({exc!r}); see data/catalogue.yaml's layout"
        ) from exc
    return Catalogue(templates, list(sections.values()), languages, served)


class _LanguageTexts:
    """Per-language names and descriptions, with derived languages (de-CH from de) filled in."""

    def __init__(self, languages: Sequence[str], derived: Mapping[str, Mapping[str, str]]) -> None:
        self._languages = languages
        self._derived = derived

    def translations(self, text: Mapping[str, Sequence[str]]) -> list[api.Translation]:
        result = []
        for code in self._languages:
            pair = text.get(code)
            if pair is None and code in self._derived:
                rule = self._derived[code]
                source = text.get(rule["from"])
                pair = None if source is None else [_spell(s, rule["rule"]) for s in source]
            if pair is not None:
                result.append(api.Translation(language_id=code, name=pair[0], description=pair[1]))
        return result


def _spell(text: str, rule: str) -> str:
    # Swiss Standard German has no "ß"; every other derived language is a plain copy.
    return text.replace("ß", "ss") if rule == "swiss-german" else text


def _section(key: str, entry: Mapping[str, Any], texts: _LanguageTexts) -> api.Section:
    name, description = entry["text"]["en"]
    return api.Section(
        key=key,
        name=name,
        description=description,
        type=entry["type"],
        default_writing_style=api.NamedRef(name=entry["writing_style"]),
        default_format_rule=api.NamedRef(name=entry["format_rule"]),
        additional_instructions=entry.get("additional_instructions"),
        translations=texts.translations(entry["text"]),
    )


def _template(
    key: str,
    entry: Mapping[str, Any],
    sections: Mapping[str, api.Section],
    texts: _LanguageTexts,
    updated_at: str | None,
) -> api.Template:
    name, description = entry["text"]["en"]
    missing = [s for s in entry["sections"] if s not in sections]
    if missing:
        raise ValueError(f"template {key!r} uses unknown sections {missing}")
    return api.Template.model_validate(
        {
            "key": key,
            "name": name,
            "description": description,
            "status": "published",
            "updatedAt": updated_at,
            "documentationMode": "global_sequential",
            "templateSections": [
                {"sort": index, "section": sections[section_key]}
                for index, section_key in enumerate(entry["sections"], start=1)
            ],
            "translations": texts.translations(entry["text"]),
        }
    )
