"""What each section collects, and how a section's overrides and instructions are read.

A section collects categories of sentences (``corti-subjective``: history, complaint, negatives,
background, medications ...). When a template has a more specific section for a category
(``corti-medications``), that section owns it; the order of a section's list says how specific
it is. Instructions are read in a small, documented grammar: clauses such as ``Include: a, b``,
``Exclude: medications``, ``Only: plan``, ``at most 3 items``, and style words (bullets, numbered,
prose, telegraphic, full sentences), in English and German (Danish and French for the commonest).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal, TypeVar

from scribe_eval.emulator._catalogue import SectionSpec
from scribe_eval.emulator.engines._notes_lexicon import Category

Layout = Literal["prose", "bullets", "numbered", "line"]
Style = Literal["full", "telegraphic"]
_Word = TypeVar("_Word", bound=str)

SECTION_CATEGORIES: Final[dict[str, tuple[Category, ...]]] = {
    "corti-chief-complaint": ("complaint",),
    "corti-hpi": ("history", "complaint", "negatives"),
    "corti-subjective": (
        "history", "complaint", "negatives", "past_history", "medications", "allergies",
        "family", "social",
    ),
    "corti-review-of-systems": ("negatives",),
    "corti-past-medical-history": ("past_history",),
    "corti-medications": ("medications",),
    "corti-allergies": ("allergies",),
    "corti-family-history": ("family",),
    "corti-social-history-w-smoking-and-alcohol": ("social",),
    "corti-objective": ("exam", "vitals", "results"),
    "corti-physical-exam-with-vitals": ("exam", "vitals"),
    "corti-vital-signs": ("vitals",),
    "corti-diagnostic-results": ("results",),
    "corti-assessment": ("assessment",),
    "corti-plan": ("plan",),
    "corti-assessment-and-plan": ("assessment", "plan"),
    "corti-patient-summary": ("complaint", "history", "assessment", "plan"),
}  # fmt: skip
"""The categories each standard section collects, most specific first."""

_KEYWORD_CATEGORIES: Final[tuple[tuple[str, tuple[Category, ...]], ...]] = (
    ("complaint", ("complaint",)), ("subjective", SECTION_CATEGORIES["corti-subjective"]),
    ("history-of-present", ("history", "complaint", "negatives")), ("hpi", ("history",)),
    ("review", ("negatives",)), ("past", ("past_history",)), ("medic", ("medications",)),
    ("allerg", ("allergies",)), ("family", ("family",)), ("social", ("social",)),
    ("vital", ("vitals",)), ("exam", ("exam", "vitals")),
    ("objective", ("exam", "vitals", "results")), ("result", ("results",)), ("lab", ("results",)),
    ("assessment-and-plan", ("assessment", "plan")),
    ("assessment", ("assessment",)), ("impression", ("assessment",)), ("plan", ("plan",)),
    ("summary", SECTION_CATEGORIES["corti-patient-summary"]),
)  # fmt: skip

TERM_CATEGORIES: Final[dict[str, Category]] = {
    **dict.fromkeys(("medication", "medications", "meds", "drug", "drugs", "medicine",
                     "medicines", "prescription", "prescriptions", "medikamente", "medikation",
                     "medicin", "médicaments", "traitements"), "medications"),
    **dict.fromkeys(("allergy", "allergies", "allergien", "allergier"), "allergies"),
    **dict.fromkeys(("vitals", "vital signs", "vital", "vitalparameter", "vitalwerte"), "vitals"),
    **dict.fromkeys(("exam", "examination", "physical exam", "findings", "untersuchung",
                     "befund", "undersøgelse", "examen"), "exam"),
    **dict.fromkeys(("results", "labs", "lab results", "tests", "imaging", "laborwerte",
                     "prøvesvar"), "results"),
    **dict.fromkeys(("family history", "family", "familienanamnese"), "family"),
    **dict.fromkeys(("social history", "smoking", "alcohol", "lifestyle", "sozialanamnese",
                     "rauchen", "alkohol"), "social"),
    **dict.fromkeys(("past medical history", "pmh", "medical history", "vorerkrankungen",
                     "background"), "past_history"),
    **dict.fromkeys(("negatives", "pertinent negatives", "review of systems", "ros"), "negatives"),
    **dict.fromkeys(("assessment", "diagnosis", "diagnoses", "impression", "diagnose",
                     "beurteilung"), "assessment"),
    **dict.fromkeys(("plan", "follow-up", "follow up", "treatment", "therapie", "procedere"),
                    "plan"),
    **dict.fromkeys(("symptoms", "history", "hpi", "complaint", "symptome", "beschwerden"),
                    "history"),
    **dict.fromkeys(("chief complaint", "presenting complaint", "main complaint",
                     "reason for visit", "reason for the visit", "hauptbeschwerde",
                     "vorstellungsgrund"), "complaint"),
}  # fmt: skip
"""Instruction terms that name a category rather than a literal word."""

_INCLUDE: Final = re.compile(
    r"^(?:include|including|add|mention|cover|focus on|einschließen|einschliessen|erwähnen|"
    r"inkluder|inclure)\b\s*:?\s*(.+)$",
    re.IGNORECASE,
)
_ONLY: Final = re.compile(r"^(?:only include|only|nur|kun|seulement)\b\s*:?\s*(.+)$", re.I)
_ONLY_WORD: Final = re.compile(
    r"^\s*(?:only|nur|kun|seulement)\b\s*|\s*\b(?:only|nur|kun|seulement)\s*$", re.I
)
"""``only`` leading or closing an include clause's terms."""
_EXCLUDE: Final = re.compile(
    r"^(?:exclude|excluding|omit|leave out|without|avoid|skip|do not (?:include|mention)|"
    r"don't (?:include|mention)|no|ausschließen|ausschliessen|weglassen|ohne|nicht erwähnen|"
    r"ekskluder|udelad|exclure|sans)\b\s*:?\s*(.+)$",
    re.IGNORECASE,
)
_LIMIT: Final = re.compile(
    r"(?:at most|no more than|max(?:imum)?|up to|höchstens|maximal|højst)\s+(\d+)", re.I
)
_TERM_SPLIT: Final = re.compile(r",|\band\b|\bor\b|\bund\b|\boder\b|\bog\b|\bet\b|/", re.I)
_LAYOUT_WORDS: Final[tuple[tuple[Layout, tuple[str, ...]], ...]] = (
    ("numbered", ("numbered", "nummeriert", "nummereret", "numérot")),
    ("line", ("single line", "one line", "einzeilig", "én linje")),
    ("bullets", ("bullet", "list", "points", "stichpunkt", "aufzählung", "punktopstilling",
                 "puces", "liste")),
    ("prose", ("paragraph", "prose", "narrative", "fließtext", "fliesstext", "absatz",
               "paragraphe", "sentences", "sätze")),
)  # fmt: skip
_STYLE_WORDS: Final[tuple[tuple[Style, tuple[str, ...]], ...]] = (
    ("telegraphic", ("telegraph", "concise", "brief", "terse", "knapp", "stichwort",
                     "kort", "bref", "concis")),
    ("full", ("full sentence", "narrative", "prose", "detailed", "verbose", "ausführlich",
              "ganze sätze", "fuldstændige", "phrases complètes", "third person")),
)  # fmt: skip


@dataclass(frozen=True)
class Directives:
    """What a section's instructions ask for: terms to pull in or keep out, layout and style.

    ``include`` and ``exclude`` hold categories and literal lower-case words; ``only`` restricts
    the section to what ``include`` names; ``limit`` caps the number of items.
    """

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    only: bool = False
    layout: Layout = "prose"
    style: Style = "full"
    limit: int | None = None


def section_categories(section: SectionSpec) -> tuple[Category, ...]:
    """The categories ``section`` collects: by its key, else by words in its key and name."""
    known = SECTION_CATEGORIES.get(section.key)
    if known is not None:
        return known
    haystack = f"{section.key} {section.name}".lower().replace(" ", "-")
    for keyword, categories in _KEYWORD_CATEGORIES:
        if keyword in haystack:
            return categories
    return SECTION_CATEGORIES["corti-subjective"]


def directives(section: SectionSpec, template_instructions: str | None) -> Directives:
    """Read a section's content override, instructions, format rule and writing style.

    Precedence for layout and style: the section's own instructions and content override, then
    its format rule and writing style when the request overrode them, then the template's
    instructions, then the section's defaults.
    """
    own = " ".join(filter(None, (section.content, section.additional_instructions)))
    template = template_instructions or ""
    include, exclude, only = _terms(own)
    t_include, t_exclude, t_only = _terms(template)
    rule, style = section.format_rule or "", section.writing_style or ""
    rules_in_order = (
        [own, rule, template] if "format_rule" in section.overridden else [own, template, rule]
    )
    styles_in_order = (
        [own, style, template] if "writing_style" in section.overridden else [own, template, style]
    )
    limit = _LIMIT.search(own) or _LIMIT.search(template)
    return Directives(
        include=include + t_include,
        exclude=exclude + t_exclude,
        only=only or t_only,
        layout=_first_match(rules_in_order, _LAYOUT_WORDS) or "prose",
        style=_first_match(styles_in_order, _STYLE_WORDS) or "full",
        limit=int(limit.group(1)) if limit else None,
    )


def category_of_term(term: str) -> Category | None:
    """The category an instruction term names ("meds" -> medications), or None for a word."""
    return TERM_CATEGORIES.get(term) or TERM_CATEGORIES.get(term.rstrip("s"))


def _terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...], bool]:
    include: list[str] = []
    exclude: list[str] = []
    only = False
    for clause in re.split(r"[.;\n]+", text):
        clause = clause.strip()
        if match := _ONLY.match(clause):
            include.extend(_split_terms(match.group(1)))
            only = True
        elif match := _INCLUDE.match(clause):
            # "Include only the follow-up" and "Include: follow-up only" restrict, as "Only:"
            # does; read as an include of the word "only the follow-up", they changed nothing.
            terms, restricted = _ONLY_WORD.subn("", match.group(1))
            include.extend(_split_terms(terms))
            only = only or restricted > 0
        elif match := _EXCLUDE.match(clause):
            exclude.extend(_split_terms(match.group(1)))
    return tuple(include), tuple(exclude), only


def _split_terms(text: str) -> list[str]:
    terms = (term.strip(" '\"").lower() for term in _TERM_SPLIT.split(text))
    return [re.sub(r"^(?:any|all|the|a)\s+", "", term) for term in terms if term]


def _first_match(
    texts: Iterable[str], table: Iterable[tuple[_Word, tuple[str, ...]]]
) -> _Word | None:
    entries = list(table)
    return next((found for t in texts if (found := _first_word(t, entries)) is not None), None)


def _first_word(text: str, table: Iterable[tuple[_Word, tuple[str, ...]]]) -> _Word | None:
    lower = text.lower()
    found = [(lower.find(w), value) for value, words in table for w in words if w in lower]
    return min(found)[1] if found else None
