"""The read-only template catalogue (contract section 5).

The vendor switched to camelCase in 2026-01; older answers used snake_case (``template_sections``,
``date_updated``, ``languages_id``). Both parse.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AliasChoices, Field

from scribe_eval.api._base import VendorModel


class NamedRef(VendorModel):
    """A named default such as a section's writing style or format rule."""

    name: str | None = None
    description: str | None = None


class Translation(VendorModel):
    """A template's or section's name and description in one language."""

    language_id: str = Field(
        validation_alias=AliasChoices("languageId", "languages_id", "language_id")
    )
    name: str | None = None
    description: str | None = None


class Section(VendorModel):
    """A catalogue section: the unit templates are assembled from."""

    key: str
    name: str
    description: str | None = None
    type: str | None = None
    default_writing_style: NamedRef | None = None
    default_format_rule: NamedRef | None = None
    additional_instructions: str | None = None
    translations: list[Translation] = Field(default_factory=list)

    def name_in(self, language: str) -> str:
        """The section's name in ``language`` (else base language, else default)."""
        return _translated(self.translations, language, self.name)


class TemplateSection(VendorModel):
    """A section's place in a template."""

    sort: int | None = None
    section: Section


class Template(VendorModel):
    """A stored template: an ordered list of sections plus template-level instructions."""

    key: str
    name: str
    description: str | None = None
    status: str | None = None
    updated_at: datetime | None = Field(
        default=None, validation_alias=AliasChoices("updatedAt", "date_updated", "updated_at")
    )
    additional_instructions: str | None = None
    documentation_mode: str | None = None
    template_sections: list[TemplateSection] = Field(
        default_factory=list,
        validation_alias=AliasChoices("templateSections", "template_sections"),
    )
    translations: list[Translation] = Field(default_factory=list)

    def section_keys(self) -> list[str]:
        """The template's section keys in their sort order."""
        ordered = sorted(
            enumerate(self.template_sections),
            key=lambda item: (item[1].sort if item[1].sort is not None else item[0], item[0]),
        )
        return [ts.section.key for _, ts in ordered]

    def name_in(self, language: str) -> str:
        """The template's name in ``language`` (else base language, else default)."""
        return _translated(self.translations, language, self.name)


class TemplateList(VendorModel):
    """Answer of ``GET /templates/``."""

    data: list[Template] = Field(default_factory=list)


class SectionList(VendorModel):
    """Answer of ``GET /templateSections/``."""

    data: list[Section] = Field(default_factory=list)


def _translated(translations: list[Translation], language: str, default: str) -> str:
    base = language.split("-")[0].lower()
    exact = {t.language_id.lower(): t.name for t in translations if t.name}
    return exact.get(language.lower()) or exact.get(base) or default
