"""The emulator's read-only template catalogue (contract section 5) and template resolution.

The built-in catalogue is data of `scribe_eval.api` (``api/data/catalogue.yaml``, listed by
`scribe_eval.api.CatalogueData`). :meth:`Catalogue.resolve` turns the three ways a document
request can choose a template (a ``templateKey``; ``sectionKeys``; ``sections`` with overrides)
into one :class:`ResolvedTemplate` that the note engines write from, with every override already
applied and every heading in the output language.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from scribe_eval import api
from scribe_eval.errors import TemplateError

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


class Catalogue(api.CatalogueData):
    """The built-in catalogue with template resolution: what the emulator writes from."""

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


def _description_in(section: api.Section, language: str) -> str | None:
    base = language.split("-")[0].lower()
    found = {t.language_id.lower(): t.description for t in section.translations if t.description}
    return found.get(language.lower()) or found.get(base) or section.description


def _generic_name(language: str) -> str:
    return _GENERIC_NAMES.get(language.split("-")[0].lower(), _GENERIC_NAMES["en"])


@functools.cache
def builtin_catalogue() -> Catalogue:
    """The catalogue shipped with scribe-eval (loaded once per process from the package data)."""
    return Catalogue.from_mapping(api.builtin_catalogue_data())


def catalogue_from_mapping(data: Mapping[str, Any]) -> Catalogue:
    """Build a :class:`Catalogue` from the data layout of ``scribe_eval/api/data/catalogue.yaml``.

    Raises:
        TemplateError: The data misses a field or names an unknown section.
    """
    return Catalogue.from_mapping(data)
