"""The built-in template catalogue as data: templates, sections and their translations.

``data/catalogue.yaml`` holds the standard section and template keys, each with a type, a
default writing style and format rule, and a name and description in every served language.
`CatalogueData` lists them as the contract's wire models (section 5) filtered by language; the
embedded emulator serves it (and adds template resolution), and template authoring validates
files against it offline, without importing the emulator.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Mapping, Sequence
from importlib import resources
from typing import Any, Final, TypeVar

from scribe_eval.api._templates import NamedRef, Section, Template, Translation
from scribe_eval.errors import TemplateError

CATALOGUE_RESOURCE: Final = "data/catalogue.yaml"
"""The built-in catalogue, relative to the ``scribe_eval.api`` package."""

_C = TypeVar("_C", bound="CatalogueData")


class CatalogueData:
    """Templates and sections with their translations, and the languages documents are written in.

    Args:
        templates: Catalogue templates (their sections embedded, as on the wire).
        sections: Every section, including those no template uses.
        languages: The output languages served (contract codes such as ``de-CH``).
        template_languages: Per template key, the languages it is served in (default: all).
    """

    def __init__(
        self,
        templates: Sequence[Template],
        sections: Sequence[Section],
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

    def templates(self, languages: Sequence[str] = ("en",)) -> list[Template]:
        """The templates served in any of ``languages``, with translations for those languages."""
        wanted = self._wanted(languages)
        return [
            _filtered_template(template, wanted)
            for key, template in self._templates.items()
            if wanted.intersection(self._template_languages[key])
        ]

    def template(self, key: str) -> Template | None:
        """The template ``key`` with every translation, or None when the catalogue lacks it."""
        return self._templates.get(key)

    def template_languages(self, key: str) -> tuple[str, ...]:
        """The languages template ``key`` is served in (empty for an unknown key)."""
        return self._template_languages.get(key, ())

    def sections(self, languages: Sequence[str] = ("en",)) -> list[Section]:
        """Every section available in any of ``languages``, with those languages' translations."""
        wanted = self._wanted(languages)
        return [
            _filtered_section(section, wanted)
            for section in self._sections.values()
            if wanted.intersection(t.language_id for t in section.translations)
        ]

    def section(self, key: str) -> Section | None:
        """The section ``key`` with every translation, or None when the catalogue lacks it."""
        return self._sections.get(key)

    @classmethod
    def from_mapping(cls: type[_C], data: Mapping[str, Any]) -> _C:
        """Build a catalogue from the data layout of ``data/catalogue.yaml``.

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
                f"the template catalogue data is malformed ({exc!r}); see data/catalogue.yaml's "
                "layout"
            ) from exc
        return cls(templates, list(sections.values()), languages, served)

    def _wanted(self, languages: Iterable[str]) -> set[str]:
        codes = [code for code in languages if code] or ["en"]
        return {self._canonical.get(code.strip().lower(), code) for code in codes}


def builtin_catalogue_data() -> Mapping[str, Any]:
    """The parsed ``data/catalogue.yaml`` (read once per process)."""
    return _read_builtin()


@functools.cache
def _read_builtin() -> Mapping[str, Any]:
    # Imported here: importing the wire models (as the emulator does before its ready line, and
    # the client) need not import PyYAML; the catalogue is read on first use.
    from scribe_eval._yaml import parse_yaml

    text = resources.files("scribe_eval.api").joinpath(CATALOGUE_RESOURCE).read_text("utf-8")
    data: Mapping[str, Any] = parse_yaml(text, CATALOGUE_RESOURCE)
    return data


@functools.cache
def load_builtin_catalogue() -> CatalogueData:
    """The catalogue shipped with scribe-eval, as data (loaded once per process)."""
    return CatalogueData.from_mapping(builtin_catalogue_data())


def _filtered_section(section: Section, wanted: set[str]) -> Section:
    translations = [t for t in section.translations if t.language_id in wanted]
    return section.model_copy(update={"translations": translations})


def _filtered_template(template: Template, wanted: set[str]) -> Template:
    sections = [
        ts.model_copy(update={"section": _filtered_section(ts.section, wanted)})
        for ts in template.template_sections
    ]
    translations = [t for t in template.translations if t.language_id in wanted]
    return template.model_copy(update={"translations": translations, "template_sections": sections})


class _LanguageTexts:
    """Per-language names and descriptions, with derived languages (de-CH from de) filled in."""

    def __init__(self, languages: Sequence[str], derived: Mapping[str, Mapping[str, str]]) -> None:
        self._languages = languages
        self._derived = derived

    def translations(self, text: Mapping[str, Sequence[str]]) -> list[Translation]:
        result = []
        for code in self._languages:
            pair = text.get(code)
            if pair is None and code in self._derived:
                rule = self._derived[code]
                source = text.get(rule["from"])
                pair = None if source is None else [_spell(s, rule["rule"]) for s in source]
            if pair is not None:
                result.append(Translation(language_id=code, name=pair[0], description=pair[1]))
        return result


def _spell(text: str, rule: str) -> str:
    # Swiss Standard German has no "ß"; every other derived language is a plain copy.
    return text.replace("ß", "ss") if rule == "swiss-german" else text


def _section(key: str, entry: Mapping[str, Any], texts: _LanguageTexts) -> Section:
    name, description = entry["text"]["en"]
    return Section(
        key=key,
        name=name,
        description=description,
        type=entry["type"],
        default_writing_style=NamedRef(name=entry["writing_style"]),
        default_format_rule=NamedRef(name=entry["format_rule"]),
        additional_instructions=entry.get("additional_instructions"),
        translations=texts.translations(entry["text"]),
    )


def _template(
    key: str,
    entry: Mapping[str, Any],
    sections: Mapping[str, Section],
    texts: _LanguageTexts,
    updated_at: str | None,
) -> Template:
    name, description = entry["text"]["en"]
    missing = [s for s in entry["sections"] if s not in sections]
    if missing:
        raise ValueError(f"template {key!r} uses unknown sections {missing}")
    return Template.model_validate(
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
