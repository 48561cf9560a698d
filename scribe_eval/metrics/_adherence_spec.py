"""What a template asks of a note: the expectations that the adherence checks hold a document to.

``expectations_from_request`` reads a document request (its ``templateKey`` or inline template,
and ``outputLanguage``) together with the vendor's section catalogue, and returns a frozen
:class:`AdherenceExpectations`: for each section in order, the heading it must carry
(``nameOverride``, else the catalogue name in the output language), the layout its format rule
asks for (the override, else the section's default), and any length limit its texts state.

The metrics package imports nothing of scribe-eval but ``errors``, so the request and the
catalogue are read through small structural protocols that ``api.CreateDocumentRequest``,
``api.Section`` and ``templates.Catalogue`` satisfy as they are.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final, Literal, Protocol, runtime_checkable

from scribe_eval.errors import MetricError, TemplateError

Layout = Literal["bullets", "numbered", "paragraph", "single_line"]
LimitUnit = Literal["items", "words", "sentences", "characters"]

_LAYOUT_WORDS: Final[tuple[tuple[Layout, tuple[str, ...]], ...]] = (
    ("numbered", ("numbered", "nummeriert", "nummereret", "numérot", "numerad", "numerada")),
    ("single_line", ("single line", "one line", "einzeilig", "én linje", "une ligne")),
    ("bullets", ("bullet", "list", "points", "stichpunkt", "aufzählung", "punktopstilling",
                 "puces", "liste", "punktlista", "viñeta")),
    ("paragraph", ("paragraph", "prose", "narrative", "fließtext", "fliesstext", "absatz",
                   "paragraphe", "sentences", "sätze", "stycke", "párrafo")),
)  # fmt: skip
"""Words of a free-text format rule, most specific first ("numbered list" is numbered)."""

_LIMIT: Final = re.compile(
    r"(?:at most|no more than|not more than|max(?:imum)?\.?|up to|fewer than|less than|under|"
    r"höchstens|maximal|max\.|højst|au plus|como máximo|högst)\s+(\d+)\s*"
    r"(items?|bullets?|bullet points?|points?|lines?|words?|sentences?|characters?|chars?|"
    r"stichpunkte?|punkte?|zeilen?|wörter|worte|sätze|satz|zeichen|ord|sætninger|punkter|"
    r"mots|phrases|caractères|palabras|frases)\b",
    re.IGNORECASE,
)
_STRICT_WORDS: Final = ("fewer than", "less than", "under")
_UNITS: Final[dict[str, LimitUnit]] = {
    **dict.fromkeys(("word", "wörter", "worte", "ord", "mots", "palabras"), "words"),
    **dict.fromkeys(("sentence", "sätze", "satz", "sætninger", "phrases", "frases"), "sentences"),
    **dict.fromkeys(("character", "char", "zeichen", "caractères"), "characters"),
}
"""Limit units other than items (bullets, points, lines and a bare number all count items)."""


@dataclass(frozen=True)
class LengthLimit:
    """A length limit a template states: at most ``maximum`` ``unit`` (``source`` says where)."""

    unit: LimitUnit
    maximum: int
    source: str


@dataclass(frozen=True)
class SectionExpectation:
    """What one section must look like.

    Attributes:
        key: The section key.
        heading: The heading it must carry; None when unknown (not in the catalogue given).
        heading_source: ``nameOverride`` or ``catalogue``.
        format_rule: The format rule as written (override, else the section default), if any.
        layout: The layout that rule asks for; None when the rule names no known layout.
        limits: Length limits stated in the section's override texts.
        writing_style: The writing style override, if any (kept for the judge; not checked here).
        content: The ``contentOverride``, if any (kept for the judge; not checked here).
        instructions: The ``additionalInstructionsOverride``, if any (kept for the judge).
    """

    key: str
    heading: str | None
    heading_source: Literal["nameOverride", "catalogue"]
    format_rule: str | None
    layout: Layout | None
    limits: tuple[LengthLimit, ...] = ()
    writing_style: str | None = None
    content: str | None = None
    instructions: str | None = None


@dataclass(frozen=True)
class AdherenceExpectations:
    """Everything a document is held to: output language, sections in order, note-level limits."""

    language: str
    sections: tuple[SectionExpectation, ...]
    note_limits: tuple[LengthLimit, ...] = ()
    instructions: str | None = None

    def section_keys(self) -> tuple[str, ...]:
        """The expected section keys in order."""
        return tuple(section.key for section in self.sections)


class NamedRule(Protocol):
    """A named default such as ``api.NamedRef``."""

    @property
    def name(self) -> str | None: ...


class CatalogueSection(Protocol):
    """A catalogue section as ``api.Section`` has it."""

    @property
    def key(self) -> str: ...
    @property
    def default_format_rule(self) -> NamedRule | None: ...
    def name_in(self, language: str) -> str: ...


class SectionCatalogue(Protocol):
    """Sections by key, and a stored template's sections (``templates.Catalogue``)."""

    @property
    def sections(self) -> Mapping[str, CatalogueSection]: ...
    def template_sections(self, key: str) -> Sequence[CatalogueSection]: ...


class RequestedSection(Protocol):
    """A section of an inline template with overrides (``api.SectionOverride``)."""

    @property
    def key(self) -> str: ...
    @property
    def name_override(self) -> str | None: ...
    @property
    def writing_style_override(self) -> str | None: ...
    @property
    def format_rule_override(self) -> str | None: ...
    @property
    def additional_instructions_override(self) -> str | None: ...
    @property
    def content_override(self) -> str | None: ...


@runtime_checkable
class TemplateWithSections(Protocol):
    """An inline template with overrides (``api.TemplateBySections``)."""

    @property
    def sections(self) -> Sequence[RequestedSection]: ...
    @property
    def additional_instructions_override(self) -> str | None: ...


@runtime_checkable
class TemplateWithKeys(Protocol):
    """An inline template from section keys (``api.TemplateBySectionKeys``)."""

    @property
    def section_keys(self) -> Sequence[str]: ...
    @property
    def additional_instructions(self) -> str | None: ...


class DocumentRequest(Protocol):
    """The template part of a document request (``api.CreateDocumentRequest``)."""

    @property
    def output_language(self) -> str: ...
    @property
    def template_key(self) -> str | None: ...
    @property
    def template(self) -> TemplateWithSections | TemplateWithKeys | None: ...


def expectations_from_request(
    request: DocumentRequest, catalogue: SectionCatalogue
) -> AdherenceExpectations:
    """The expectations of a document request, with defaults from ``catalogue``.

    ``templateKey`` wins over ``template`` (as on the vendor). Sections the catalogue lacks keep
    their overrides but have no default heading or format rule.

    Raises:
        MetricError: the request names no template, or a stored template the catalogue lacks.
    """
    language = request.output_language
    if request.template_key is not None:
        try:
            stored = catalogue.template_sections(request.template_key)
        except (TemplateError, KeyError) as exc:
            raise MetricError(
                f"cannot check adherence: {exc} — pull a catalogue snapshot that has the template"
            ) from exc
        return AdherenceExpectations(language, tuple(_default(s, language) for s in stored))
    template = request.template
    if isinstance(template, TemplateWithSections):
        sections = tuple(_overridden(s, catalogue, language) for s in template.sections)
        notes = template.additional_instructions_override
    elif isinstance(template, TemplateWithKeys):
        sections = tuple(_by_key(k, catalogue, language) for k in template.section_keys)
        notes = template.additional_instructions
    else:
        raise MetricError("cannot check adherence: the request names no template — give one")
    return AdherenceExpectations(language, sections, parse_limits(notes, "instructions"), notes)


def _default(section: CatalogueSection, language: str) -> SectionExpectation:
    rule = section.default_format_rule.name if section.default_format_rule else None
    return SectionExpectation(
        section.key, section.name_in(language), "catalogue", rule, layout_of(rule)
    )


def _by_key(key: str, catalogue: SectionCatalogue, language: str) -> SectionExpectation:
    known = catalogue.sections.get(key)
    if known is not None:
        return _default(known, language)
    return SectionExpectation(key, None, "catalogue", None, None)


def _overridden(
    section: RequestedSection, catalogue: SectionCatalogue, language: str
) -> SectionExpectation:
    base = _by_key(section.key, catalogue, language)
    rule = section.format_rule_override or base.format_rule
    texts = {
        "formatRuleOverride": section.format_rule_override,
        "writingStyleOverride": section.writing_style_override,
        "additionalInstructionsOverride": section.additional_instructions_override,
        "contentOverride": section.content_override,
    }
    limits = tuple(limit for name, text in texts.items() for limit in parse_limits(text, name))
    return SectionExpectation(
        key=section.key,
        heading=section.name_override or base.heading,
        heading_source="nameOverride" if section.name_override else "catalogue",
        format_rule=rule,
        layout=layout_of(rule),
        limits=limits,
        writing_style=section.writing_style_override,
        content=section.content_override,
        instructions=section.additional_instructions_override,
    )


def layout_of(format_rule: str | None) -> Layout | None:
    """The layout a free-text format rule names (``"Bullet list"`` -> ``bullets``), else None."""
    if not format_rule:
        return None
    lowered = format_rule.casefold()
    for layout, words in _LAYOUT_WORDS:
        if any(word in lowered for word in words):
            return layout
    return None


def parse_limits(text: str | None, source: str) -> tuple[LengthLimit, ...]:
    """Length limits stated in ``text`` ("at most 3 bullets", "höchstens 50 Wörter").

    A limit needs its unit: "up to 3 times a day" or "under 5" is content, not a length limit.
    Bullets, points and lines count items; "fewer than N" and "under N" allow N - 1.
    """
    limits: list[LengthLimit] = []
    for match in _LIMIT.finditer(text or ""):
        number = int(match.group(1))
        if any(match.group(0).casefold().startswith(word) for word in _STRICT_WORDS):
            number -= 1
        unit_word = match.group(2).casefold()
        unit: LimitUnit = next(
            (u for stem, u in _UNITS.items() if unit_word.startswith(stem)), "items"
        )
        limits.append(LengthLimit(unit, max(number, 0), source))
    return tuple(limits)
